import json
from pathlib import Path

import pytest

from bot.learning import review
from bot.learning.gate import regression_set, verdict


def test_gate_refuses_a_drop_beyond_the_tolerance_and_names_it() -> None:
    live = {"dev": {"items": 368, "top1": 94.3}, "approved": {"items": 42, "top1": 95.2}}
    assert verdict(live, {"dev": {"items": 368, "top1": 93.6}, "approved": {"items": 43, "top1": 100.0}}) == []
    problems = verdict(live, {"dev": {"items": 368, "top1": 91.0}, "approved": {"items": 43, "top1": 95.3}})
    assert problems == ["dev top-1 fell from 94.3% to 91.0% (368 -> 368 questions)"]


def conversation(cid: str, question: str, approved: list[dict[str, object]] | None = None) -> dict[str, object]:
    return {"id": cid, "channel": "web", "lang": "pl", "started_at": "2026-11-26T10:00:00Z",
            "ended_at": "2026-11-26T10:05:00Z", "customer": {"display_name": "Ola"},
            "turns": [{"role": "customer", "text": question, "at": "2026-11-26T10:00:00Z"},
                      {"role": "moderator", "text": "Tak.", "at": "2026-11-26T10:05:00Z", "author": "Anna"}],
            "outcome": "moderator_resolved", "handoff": None, "faq_ids": [], "approved_qa": approved or []}


@pytest.fixture
def dirs(tmp_path: Path) -> dict[str, Path]:
    archive, approved = tmp_path / "archive", tmp_path / "approved"
    archive.mkdir()
    approved.mkdir()
    lines = [conversation("conv-100001", "Czy macie warsztaty lutowania?"),
             conversation("conv-100002", "a warsztaty dla dzieci są?")]
    (archive / "2026-11.jsonl").write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in lines))
    proposals = [{"id": "p1", "kind": "new_entry", "faq_id": None, "lang": "pl", "count": 2, "title": "warsztaty",
                  "questions": ["Czy macie warsztaty lutowania?", "a warsztaty dla dzieci są?"],
                  "answer": "Tak, co miesiąc.",
                  "conversation_ids": ["conv-100001", "conv-100002"]},
                 {"id": "p2", "kind": "paraphrases", "faq_id": "return_howto", "lang": "pl", "count": 1, "title": "x",
                  "questions": ["Czy macie warsztaty lutowania?"], "answer": "", "conversation_ids": ["conv-100001"]}]
    review.merge(tmp_path / "proposals.json", proposals)
    return {"archive": archive, "approved": approved, "proposals": tmp_path / "proposals.json"}


def test_approving_writes_the_pairs_and_the_gate_sees_them(dirs: dict[str, Path], tmp_path: Path) -> None:
    target = dirs["approved"] / "approved.jsonl"
    done = review.approve(dirs["proposals"], "p1", "ola", [dirs["archive"]], target, answer="Tak, w każdą sobotę.")
    assert done["status"] == "approved" and done["answer"] == "Tak, w każdą sobotę."
    records = [json.loads(line) for line in target.read_text().splitlines()]
    assert [r["approved_qa"][-1]["question"] for r in records] == ["Czy macie warsztaty lutowania?",
                                                                   "a warsztaty dla dzieci są?"]
    with pytest.raises(review.ReviewError, match="already approved"):
        review.approve(dirs["proposals"], "p1", "ola", [dirs["archive"]], target)
    dev = tmp_path / "dev.jsonl"
    dev.write_text(json.dumps({"text": "jak zwrócić?", "lang": "pl", "faq_id": "return_howto"}) + "\n")
    items = regression_set(dev, [dirs["approved"]])
    assert [(i.text, i.answer) for i in items] == [
        ("jak zwrócić?", ""), ("Czy macie warsztaty lutowania?", "Tak, w każdą sobotę."),
        ("a warsztaty dla dzieci są?", "Tak, w każdą sobotę.")]


def test_bad_decisions_change_nothing(dirs: dict[str, Path]) -> None:
    target = dirs["approved"] / "approved.jsonl"
    with pytest.raises(review.ReviewError, match="unknown FAQ topic"):
        review.approve(dirs["proposals"], "p2", "ola", [dirs["archive"]], target, known_topics={"delivery_cost"})
    with pytest.raises(review.ReviewError, match="needs an answer"):
        review.approve(dirs["proposals"], "p1", "ola", [dirs["archive"]], target, answer="  ")
    with pytest.raises(review.ReviewError, match="no proposal"):
        review.reject(dirs["proposals"], "nope", "ola")
    assert not target.exists()
    assert {p["id"]: p["status"] for p in review.load(dirs["proposals"])} == {"p1": "pending", "p2": "pending"}
    review.reject(dirs["proposals"], "p2", "ola")
    again = review.merge(dirs["proposals"], [{"id": "p2", "kind": "paraphrases", "questions": []}])
    assert [p["status"] for p in again if p["id"] == "p2"] == ["rejected"]  # mining again keeps decisions
