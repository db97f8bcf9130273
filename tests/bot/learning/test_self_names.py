"""Names customers give about themselves are redacted in their turns, and never reach approved.jsonl;
archive files are private (0600, directories 0700)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from bot.learning import review
from bot.learning.archive_files import append_record, rewrite_without
from bot.learning.archive_import.output import append_atomically
from bot.learning.redact import redact, redact_with_counts
from handoff.archive_record import build_record

REDACTED = [
    ("Dzień dobry, nazywam się Jan Kowalski i mam problem z zamówieniem",
     "Dzień dobry, nazywam się [NAME] i mam problem z zamówieniem"),
    ("nazywam sie jan kowalski", "nazywam sie [NAME]"),
    ("Nazywam się Anna Maria Nowak.", "Nazywam się [NAME]."),
    ("mam na imię Ania", "mam na imię [NAME]"),
    ("mam na imie ania, gdzie paczka?", "mam na imie [NAME], gdzie paczka?"),
    ("Jestem Kasia, piszę w sprawie zwrotu", "Jestem [NAME], piszę w sprawie zwrotu"),
    ("jestem kasia", "jestem [NAME]"),
    ("jestem ola i mam pytanie", "jestem [NAME] i mam pytanie"),
    ("Tu Marek, chciałem zapytać o zwrot", "Tu [NAME], chciałem zapytać o zwrot"),
    ("Z tej strony Ola.", "Z tej strony [NAME]."),
    ("Cześć, z tej strony Paweł Zieliński.", "Cześć, z tej strony [NAME]."),
    ("tutaj Ewa Nowak z Krakowa", "tutaj [NAME] z Krakowa"),
    ("My name is John Smith and my order is late", "My name is [NAME] and my order is late"),
    ("my name is john", "my name is [NAME]"),
    ("I'm John, order VL-1234567 is late", "I'm [NAME], order VL-1234567 is late"),
    ("Hi, I am Kevin", "Hi, I am [NAME]"),
    ("this is John", "this is [NAME]"),
    ("Gdzie paczka?\nPozdrawiam, Jan Kowalski", "Gdzie paczka?\nPozdrawiam, [NAME]"),
    ("Gdzie paczka?\nPozdrawiam\nAnna Nowak", "Gdzie paczka?\nPozdrawiam\n[NAME]"),
    ("Proszę o zwrot. Pozdrawiam serdecznie, Kasia", "Proszę o zwrot. Pozdrawiam serdecznie, [NAME]"),
    ("Z poważaniem\nMaria Wiśniewska", "Z poważaniem\n[NAME]"),
    ("z powazaniem jan kowalski", "z powazaniem [NAME]"),
    ("Thanks. Regards, John", "Thanks. Regards, [NAME]"),
    ("Kind regards,\nEmma Brown", "Kind regards,\n[NAME]"),
    ("Nie działa\n-- Piotr", "Nie działa\n-- [NAME]"),
    ("Nie działa — Piotr", "Nie działa — [NAME]"),
]

KEPT = [
    "jestem zły", "Jestem zły na was", "jestem w domu", "tu jest problem", "Tu jest problem z paczką",
    "jestem na miejscu", "Jestem klientem od lat", "Jestem Pewna że zamawiałam", "tu Volta?",
    "Pozdrawiam serdecznie", "pozdrawiam", "Pozdrawiam i czekam na odpowiedź", "Dostawa była szybka – super",
    "Świetna obsługa – Dziękuję", "I'm Happy with it", "I'm angry", "I'M ANGRY", "I am Writing to complain",
    "This is Terrible", "Regards, the Smiths team and others here", "nazywam się tak samo jak wy",
    "Dzięki Anna!", "Gdzie jest moje zamówienie VL-1234567?",
]


@pytest.mark.parametrize(("text", "expected"), REDACTED)
def test_names_customers_give_are_redacted(text: str, expected: str) -> None:
    out, counts = redact_with_counts(text)
    assert out == expected
    assert counts["NAME"] == 1
    assert redact(out) == out  # a fixed point, as every step


@pytest.mark.parametrize("text", KEPT)
def test_ordinary_words_survive(text: str) -> None:
    assert redact(text) == text


def test_only_customer_turns_lose_self_given_names() -> None:
    signed = "Zwrot wysłany.\n— Anna"  # the moderator's own signature
    assert redact(signed, "Jan Kowalski", "moderator") == signed
    assert redact("Jestem Kasia, w czym pomóc?", "", "bot") == "Jestem Kasia, w czym pomóc?"


def events(question: str) -> list[dict[str, object]]:
    t0 = 1_795_000_000.0
    return [
        {"event": "user", "text": question, "timestamp": t0},
        {"event": "bot", "text": "Łączę z konsultantem.", "timestamp": t0 + 1},
        {"event": "bot", "text": "Pakujemy prezenty w sklepach.", "timestamp": t0 + 120,
         "metadata": {"moderator": "anna", "moderator_name": "Anna"}},
    ]


def test_an_archived_name_never_reaches_approved_jsonl(tmp_path: Path) -> None:
    question = "Czy pakujecie prezenty? Nazywam się Jan Kowalski\nPozdrawiam, Jan Kowalski"
    record = build_record("conv-100001", "web:x", events(question), [])
    assert record is not None and "Kowalski" not in json.dumps(record, ensure_ascii=False)
    archive, approved = tmp_path / "archive", tmp_path / "approved" / "approved.jsonl"
    append_record(archive / "2026-11.jsonl", record)
    proposals = tmp_path / "proposals" / "proposals.json"
    asked = record["turns"][0]["text"]
    review.merge(proposals, [{"id": "p1", "kind": "new_entry", "faq_id": None, "lang": "pl", "questions": [asked],
                              "answer": "Pakujemy prezenty w sklepach.", "count": 1,
                              "conversation_ids": ["conv-100001"], "title": asked}])
    review.approve(proposals, "p1", "szef", [archive], approved)
    written = approved.read_text("utf-8")
    assert "conv-100001" in written and "[NAME]" in written
    assert "Kowalski" not in written and "Jan" not in written
    assert stat.S_IMODE(approved.stat().st_mode) == 0o600
    assert stat.S_IMODE(approved.parent.stat().st_mode) == 0o700


def test_archive_files_are_private(tmp_path: Path) -> None:
    live = tmp_path / "var" / "archive" / "2026-11.jsonl"
    append_record(live, {"id": "conv-1"})
    append_record(live, {"id": "conv-2"})
    assert stat.S_IMODE(live.stat().st_mode) == 0o600
    assert stat.S_IMODE(live.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "var").stat().st_mode) == 0o700
    assert rewrite_without(live, lambda line: '"conv-1"' in line) == 1
    assert [json.loads(x)["id"] for x in live.read_text().splitlines()] == ["conv-2"]
    assert stat.S_IMODE(live.stat().st_mode) == 0o600
    imported = tmp_path / "imported" / "imported.jsonl"
    imported.parent.mkdir()
    imported.write_text("")
    imported.chmod(0o644)  # written by an older version
    append_atomically(imported, ['{"id": "conv-3"}\n'])
    assert stat.S_IMODE(imported.stat().st_mode) == 0o600
