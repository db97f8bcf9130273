import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from bot.learning.archive_import import handoff_time, main, short_display_name

ROOT = Path(__file__).resolve().parents[3]
VALIDATOR = ROOT / "faq_corpus" / "archive" / "tools" / "validate.py"
PII = ["601 234 567", "jan.kowalski@wp.pl", "44051401359", "4111 1111 1111 1111", "PL61 1090 1014 0000 0712 1981 2874",
       "Długa 5", "00-950", "Kowalski", "john.smith@example.co.uk", "+44 20 7946 0958", "Baker Street", "Nowak"]


def load_validator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("archive_validate", VALIDATOR)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def validate(path: Path) -> list[str]:
    validator = load_validator()
    checker = validator.Checker({p.stem for p in validator.FAQ_DIR.glob("*.yml")})
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        checker.check(f"{path.name}:{n}", json.loads(line))
    return list(checker.errors)


def record(cid: str, **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": cid, "channel": "messenger", "lang": "pl",
        "started_at": "2026-03-02T10:15:00Z", "ended_at": "2026-03-02T10:31:12Z",
        "customer": {"display_name": "Marek Kowalski"},
        "turns": [
            {"role": "customer", "text": "Chcę rozmawiać z konsultantem. Zamówienie VL-2458130 nie doszło, "
                                         "adres ul. Długa 5 m. 7, 00-950 Warszawa, tel. 601 234 567",
             "at": "2026-03-02T10:15:00Z"},
            {"role": "bot", "text": "Przekazuję rozmowę do konsultanta.", "at": "2026-03-02T10:15:02Z"},
            {"role": "moderator", "text": "Cześć Marku, paczka na Pana Kowalskiego wróciła do magazynu. "
                                          "Napisz proszę na pomoc@volta.example albo zadzwoń +48 22 100 20 30.",
             "at": "2026-03-02T10:21:40Z", "author": "Anna"},
            {"role": "customer", "text": "Mój mail jan.kowalski@wp.pl, PESEL 44051401359, zwrot na konto "
                                         "PL61 1090 1014 0000 0712 1981 2874 a nie na kartę 4111 1111 1111 1111",
             "at": "2026-03-02T10:31:12Z"},
        ],
        "outcome": "moderator_resolved",
        "handoff": {"at": "2026-03-02T10:15:02Z", "reasons": ["human_request"]},
        "faq_ids": ["delivery_tracking"] if (ROOT / "faq_corpus/faq/delivery_tracking.yml").exists() else [],
        "approved_qa": [],
    }
    base.update(changes)
    return base


def english_record(cid: str) -> dict[str, Any]:
    return record(
        cid, channel="web", lang="en", customer={"display_name": "Guest"},
        started_at="2026-03-03T09:00:00Z", ended_at="2026-03-03T09:00:03Z",
        turns=[{"role": "customer", "text": "Do you ship to 221B Baker Street, London NW1 6XE? "
                                            "Call me on +44 20 7946 0958 or john.smith@example.co.uk",
                "at": "2026-03-03T09:00:00Z"},
               {"role": "bot", "text": "We deliver within Poland only.", "at": "2026-03-03T09:00:03Z"}],
        outcome="bot_resolved", handoff=None, faq_ids=[])


def approved(rec: dict[str, Any]) -> dict[str, Any]:
    pair = {"question": "Zamówienie VL-2458130 nie doszło", "answer": "Sprawdź status w Moje konto.",
            "faq_id": None, "approved_by": "Karolina Nowicka", "approved_at": "2026-03-05T12:00:00Z"}
    return {**rec, "approved_qa": [pair]}


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def existing_archive(tmp_path: Path) -> Path:
    """An archive that already holds one conversation, conv-000041."""
    out = tmp_path / "archive.jsonl"
    first = (ROOT / "faq_corpus/archive/demo.jsonl").read_text(encoding="utf-8").splitlines()[0]
    out.write_text(json.dumps({**json.loads(first), "id": "conv-000041"}, ensure_ascii=False) + "\n", encoding="utf-8")
    return out


CSV_TEXT = """conversation_id,channel,lang,at,role,author,text
a-1,messenger,pl,2026-03-04T11:20:00+01:00,customer,,"Dzień dobry, chcę rozmawiać z człowiekiem"
b-7,web,en,2026-03-04T12:00:00Z,customer,,Where is my order? My phone is +1 (212) 555-0100
a-1,messenger,pl,2026-03-04T10:31:00Z,moderator,Kuba,"Dzień dobry Pani Nowak, zamówienie na Panią Nowak
jest w drodze. Pozdrawiam"
a-1,messenger,pl,2026-03-04T10:20:05Z,bot,,Przekazuję rozmowę do konsultanta.
b-7,web,en,2026-03-04T12:00:02Z,bot,,"You can track your order in My account > Orders."
a-1,messenger,pl,2026-03-04T10:40:00Z,customer,,"Dzięki, mój numer 512-345-678, ul. Kwiatowa 15, 31-000 Kraków"
"""


def test_jsonl_is_redacted_numbered_after_the_archive_and_valid(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    out = existing_archive(tmp_path)
    source = write_jsonl(tmp_path / "in.jsonl", [record("x-1"), english_record("x-2"), approved(record("x-1"))])
    assert main([str(source), "--out", str(out)]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["id"] for r in records] == ["conv-000041", "conv-000042", "conv-000043", "conv-000042"]
    assert validate(out) == []
    imported = "\n".join(lines[1:])
    for raw in PII:
        assert raw not in imported
    first = records[1]
    assert first["customer"] == {"display_name": "Marek K."}
    assert first["turns"][2]["text"].startswith("Cześć Marku, paczka na Pana [NAME] wróciła")
    assert "pomoc@volta.example" in first["turns"][2]["text"] and "+48 22 100 20 30" in first["turns"][2]["text"]
    assert "VL-2458130" in first["turns"][0]["text"] and "[ADDRESS]" in first["turns"][0]["text"]
    assert records[2]["customer"] == {"display_name": "Guest"}
    assert records[3]["approved_qa"][0]["question"] == "Zamówienie VL-2458130 nie doszło"
    report = capsys.readouterr().out
    assert "imported 2 conversations (3 lines, 10 turns) as conv-000042..conv-000043" in report
    # The repeated conversation is redacted (and counted) again: 2 x (1 e-mail, 1 phone, ...) + the English one.
    assert "EMAIL 3, PHONE 3, PESEL 2, CARD 2, IBAN 2, ADDRESS 3, NAME 2" in report


def test_csv_rows_become_conversations(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = existing_archive(tmp_path)
    source = tmp_path / "chats.csv"
    source.write_text(CSV_TEXT, encoding="utf-8")
    assert main([str(source), "--out", str(out), "--start-id", "100"]) == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert validate(out) == []
    pl, en = records[1], records[2]
    assert (pl["id"], en["id"]) == ("conv-000100", "conv-000101")
    assert [t["role"] for t in pl["turns"]] == ["customer", "bot", "moderator", "customer"]
    assert pl["turns"][0]["at"] == "2026-03-04T10:20:00Z"
    assert pl["turns"][2] == {"role": "moderator", "author": "Kuba", "at": "2026-03-04T10:31:00Z",
                              "text": "Dzień dobry Pani [NAME], zamówienie na Panią [NAME]\njest w drodze. Pozdrawiam"}
    assert pl["turns"][3]["text"] == "Dzięki, mój numer [PHONE], [ADDRESS]"
    assert (pl["started_at"], pl["ended_at"]) == ("2026-03-04T10:20:00Z", "2026-03-04T10:40:00Z")
    assert pl["customer"] == {"display_name": "Gość"} and en["customer"] == {"display_name": "Guest"}
    assert pl["outcome"] == "moderator_resolved"
    assert pl["handoff"] == {"at": "2026-03-04T10:20:05Z", "reasons": ["human_request"]}
    assert (en["outcome"], en["handoff"], en["faq_ids"], en["approved_qa"]) == ("bot_resolved", None, [], [])
    assert en["turns"][0]["text"] == "Where is my order? My phone is [PHONE]"
    assert list(pl) == ["id", "channel", "lang", "started_at", "ended_at", "customer", "turns", "outcome", "handoff",
                        "faq_ids", "approved_qa"]
    report = capsys.readouterr().out
    assert "imported 2 conversations (2 lines, 6 turns) as conv-000100..conv-000101" in report
    assert "PHONE 2" in report and "ADDRESS 1" in report and "NAME 2" in report


def test_ids_continue_from_the_archive_when_start_id_is_lower(tmp_path: Path) -> None:
    out = existing_archive(tmp_path)
    source = write_jsonl(tmp_path / "in.jsonl", [english_record("x")])
    assert main([str(source), "--out", str(out), "--start-id", "5"]) == 0
    assert main([str(source), "--out", str(out)]) == 0
    ids = [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert ids == ["conv-000041", "conv-000042", "conv-000043"]


def test_a_new_archive_starts_at_one(tmp_path: Path) -> None:
    out = tmp_path / "new" / "archive.jsonl"
    source = write_jsonl(tmp_path / "in.jsonl", [english_record("x")])
    assert main([str(source), "--out", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["id"] == "conv-000001"


def bad_jsonl(tmp_path: Path, third_line: str) -> Path:
    good = json.dumps(english_record("x"), ensure_ascii=False)
    path = tmp_path / "bad.jsonl"
    path.write_text(f"{good}\n{good.replace('x', 'y', 1)}\n{third_line}\n", encoding="utf-8")
    return path


def bad_csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    return path




def without(rec: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in rec.items() if k != key}


BAD_INPUTS = {
    "malformed JSON on line 3": (lambda p: bad_jsonl(p, '{"id": "z", "channel": '), "bad.jsonl:3: not valid JSON"),
    "missing key on line 3": (lambda p: bad_jsonl(p, json.dumps(without(english_record("z"), "outcome"))),
                              "bad.jsonl:3: record: missing key(s) outcome"),
    "bad time in JSONL": (lambda p: bad_jsonl(p, json.dumps(english_record("z")).replace(
        '"at": "2026-03-03T09:00:03Z"', '"at": "03.03.2026 10:00"')),
        "bad.jsonl:3: turn 1 at: time '03.03.2026 10:00' is not ISO-8601"),
    "JSONL unknown role": (lambda p: bad_jsonl(p, json.dumps(english_record("z")).replace('"bot"', '"agent"')),
                           "bad.jsonl:3: turn 1 role 'agent' is not one of customer, bot, moderator"),
    "CSV missing a column": (lambda p: bad_csv(p, CSV_TEXT.replace(",author,", ",")), "bad.csv:1: bad header "
                             "(missing column(s) author)"),
    "CSV unknown role": (lambda p: bad_csv(p, CSV_TEXT.replace("customer,,Where", "agent,,Where")),
                         "bad.csv:3: role 'agent' is not one of customer, bot, moderator"),
    "CSV bad time": (lambda p: bad_csv(p, CSV_TEXT.replace("2026-03-04T10:20:05Z", "wczoraj")),
                     "bad.csv:6: time 'wczoraj' is not ISO-8601"),
    "CSV time without zone": (lambda p: bad_csv(p, CSV_TEXT.replace("2026-03-04T10:20:05Z", "2026-03-04T10:20:05")),
                              "bad.csv:6: time '2026-03-04T10:20:05' has no time zone"),
    "CSV moderator without author": (lambda p: bad_csv(p, CSV_TEXT.replace("moderator,Kuba,", "moderator,,")),
                                     "bad.csv:4: author (required on moderator rows) must be a non-empty string"),
    "CSV short row": (lambda p: bad_csv(p, CSV_TEXT + "c-1,web,pl\n"), "bad.csv:9: 3 fields, expected 7"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_names_the_line_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                      case: str) -> None:
    make, message = BAD_INPUTS[case]
    out = existing_archive(tmp_path)
    before = out.read_bytes()
    assert main([str(make(tmp_path)), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert message in err, err
    assert "nothing written" in err
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_every_bad_line_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = CSV_TEXT.replace("customer,,Where", "agent,,Where").replace("2026-03-04T10:20:05Z", "wczoraj")
    out = tmp_path / "archive.jsonl"
    assert main([str(bad_csv(tmp_path, text)), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "bad.csv:3:" in err and "bad.csv:6:" in err
    assert not out.exists()


def test_a_broken_output_file_is_not_appended_to(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "archive.jsonl"
    out.write_text('{"id": "conv-000001"}\n{"id": "conv-0', encoding="utf-8")
    source = write_jsonl(tmp_path / "in.jsonl", [english_record("x")])
    assert main([str(source), "--out", str(out)]) == 1
    assert "archive.jsonl:2" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == '{"id": "conv-000001"}\n{"id": "conv-0'


def test_a_changed_repeat_of_a_conversation_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [english_record("x"), {**english_record("x"), "channel": "messenger"}])
    assert main([str(source), "--out", str(tmp_path / "a.jsonl")]) == 1
    assert "in.jsonl:2: repeats conversation x" in capsys.readouterr().err


def test_display_names_keep_at_most_an_initial() -> None:
    assert short_display_name("Marek Kowalski", "pl") == "Marek K."
    assert short_display_name("Marek K.", "pl") == "Marek K."
    assert short_display_name("Tomasz", "pl") == "Tomasz"
    assert short_display_name("jan.kowalski@wp.pl", "pl") == "Gość"
    assert short_display_name("Guest", "en") == "Guest"
    assert short_display_name("Łukasz Żak-Nowak", "pl") == "Łukasz Ż."


def test_handoff_time_is_the_turn_before_the_first_moderator_reply() -> None:
    turns = [{"role": "customer", "at": "t1"}, {"role": "bot", "at": "t2"}, {"role": "moderator", "at": "t3"}]
    assert handoff_time(turns) == "t2"
    assert handoff_time(turns[:2]) is None
    assert handoff_time(turns[2:]) == "t3"


@pytest.mark.parametrize("command", ["bot.archive_import", "bot.learning.archive_import"])
def test_runs_as_a_module(tmp_path: Path, command: str) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [english_record("x")])
    out = tmp_path / "archive.jsonl"
    done = subprocess.run([sys.executable, "-m", command, str(source), "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "imported 1 conversations" in done.stdout
    assert validate(out) == []


def test_the_validator_runs_as_a_bare_script_outside_the_repository(tmp_path: Path) -> None:
    """FORMAT.md runs it with a bare python3; -I keeps the environment's paths out, so it finds
    the format's vocabulary (bot/core/archive_format.py) by itself."""
    out = tmp_path / "archive.jsonl"
    assert main([str(write_jsonl(tmp_path / "in.jsonl", [record("x")])), "--out", str(out)]) == 0
    done = subprocess.run([sys.executable, "-I", str(VALIDATOR), str(out), "--no-targets"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith("OK")
