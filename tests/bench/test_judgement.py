import shutil
from pathlib import Path

import pytest

from bench.judgement.__main__ import main
from bench.judgement.seal import SealBroken, verify
from ops.processes import REPO

SEAL = REPO / "faq_corpus" / "labelled" / "SEALED.md"


def test_the_committed_sealed_test_matches_its_seal() -> None:
    assert sorted(f"{p.parent.name}/{p.name}" for p in verify(SEAL)) == [
        "sealed/conversations.jsonl", "sealed/messages.jsonl", "sealed2/conversations.jsonl", "sealed2/messages.jsonl"]


def sealed_copy(tmp_path: Path) -> Path:
    shutil.copy(SEAL, tmp_path / "SEALED.md")
    for name in ("sealed", "sealed2"):
        shutil.copytree(SEAL.parent / name, tmp_path / name)
    return tmp_path / "SEALED.md"


def test_a_changed_sealed_file_is_refused_and_named(tmp_path: Path) -> None:
    seal = sealed_copy(tmp_path)
    with (tmp_path / "sealed" / "messages.jsonl").open("a", encoding="utf-8") as changed:
        changed.write('{"text": "one more"}\n')
    with pytest.raises(SealBroken, match=r"messages\.jsonl: SHA-256"):
        verify(seal)


def test_a_missing_sealed_file_or_table_is_refused(tmp_path: Path) -> None:
    seal = sealed_copy(tmp_path)
    (tmp_path / "sealed" / "conversations.jsonl").unlink()
    with pytest.raises(SealBroken, match=r"conversations\.jsonl: sealed file is missing"):
        verify(seal)
    seal.write_text("# no table\n")
    with pytest.raises(SealBroken, match="no table"):
        verify(seal)


def test_make_eval_refuses_to_report_on_a_changed_sealed_test(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    from bench.judgement import data

    seal = sealed_copy(tmp_path)
    (tmp_path / "sealed" / "messages.jsonl").write_text("{}\n")
    monkeypatch.setattr(data, "SEAL", seal)
    assert main(["--split", "sealed", "--results", str(tmp_path / "results")]) == 2
    assert "differs from" in capsys.readouterr().err
    assert not (tmp_path / "results").exists()  # nothing reported


def test_a_sealed_bot_turn_with_a_topic_and_no_decision_is_an_answer() -> None:
    from bench.judgement.data import _conversation

    row = {"id": "c", "lang": "pl", "category": "routine_follow_up", "text": "a na raty?", "expected": "answer",
           "faq_id": "installments",
           "history": [{"role": "customer", "text": "jak zapłacić?"},
                       {"role": "bot", "text": "BLIK, karta, przelew.", "faq_id": "payment_methods"},
                       {"role": "bot", "text": "Który temat?", "decision": "clarify", "faq_id": "invoice"}]}
    customer, answered, clarified = _conversation(0, row).history
    assert customer == {"role": "customer", "text": "jak zapłacić?"}
    assert answered["decision"] == "answer" and clarified["decision"] == "clarify"
