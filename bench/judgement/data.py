"""The labelled sets in one shape: single messages and conversations with what should happen."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.brain.escalation import ESCALATION_HOLDOUT
from bot.brain.sentiment import is_holdout
from bot.core.jsonl import read_jsonl

LABELLED = Path("faq_corpus/labelled")
SEAL = LABELLED / "SEALED.md"
WRITTEN = LABELLED / "written"
# escalation.jsonl's reasons as the categories of the written sets
ESCALATION_CATEGORIES = {"routine": "routine_risky", "out_of_scope": "off_topic"}


@dataclass(frozen=True)
class Case:
    id: str
    text: str
    lang: str
    expected: str  # handoff | answer | clarify | off_topic | not_answer | not_handoff
    category: str
    faq_id: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)


def _message(n: int, r: dict[str, Any]) -> Case:
    return Case(str(r.get("id", n)), r["text"], r["lang"], r["expected"], r["category"], r.get("faq_id"))


def _conversation(n: int, r: dict[str, Any]) -> Case:
    return Case(str(r.get("id", n)), r["text"], r["lang"], r["expected"], r["category"], r.get("faq_id"),
                [_as_answered(turn) for turn in r["history"]])


def _as_answered(turn: dict[str, Any]) -> dict[str, Any]:
    """The sealed sets' bot turns are FAQ answers by their schema (SEALED.md): they carry the topic
    and no ``decision``, which the action server always records (``bot_decision``)."""
    if turn.get("role") == "bot" and "decision" not in turn and turn.get("faq_id"):
        return {**turn, "decision": "answer"}
    return turn


def sealed(directory: Path) -> tuple[list[Case], list[Case]]:
    messages = [_message(n, r) for n, r in enumerate(read_jsonl(directory / "messages.jsonl"))]
    conversations = [_conversation(n, r) for n, r in enumerate(read_jsonl(directory / "conversations.jsonl"))]
    return messages, conversations


def _turn_case(n: int, r: dict[str, Any]) -> Case:
    """A written context row as a two-turn conversation."""
    history = [{"role": "customer", "text": r["previous"]},
               {"role": "bot", "text": r["bot"], "decision": "answer", "faq_id": r["previous_faq_id"]}]
    expected = {"rejects_answer": "not_answer", "thanks_or_ok": "not_handoff"}.get(r["label"], "answer")
    return Case(f"t{n}", r["text"], r["lang"], expected, r["label"], r.get("faq_id"), history)


def _escalation_case(n: int, r: dict[str, Any]) -> Case:
    category = ESCALATION_CATEGORIES.get(r["reason"], r["reason"])
    expected = "handoff" if r["expected"] == "handoff" else ("off_topic" if category == "off_topic" else "not_handoff")
    return Case(f"e{n}", r["text"], r["lang"], expected, category)


def split(name: str) -> tuple[list[Case], list[Case]]:
    """The written rows of a split (``train`` or ``validation``: messages, replies to an answer and
    whole conversations) and, for validation, the
    held-out half of ``escalation.jsonl`` (which steered earlier choices: validation, not test)."""
    messages = [_message(n, r) for n, r in enumerate(read_jsonl(WRITTEN / "messages.jsonl")) if r["split"] == name]
    turns = [_turn_case(n, r) for n, r in enumerate(read_jsonl(WRITTEN / "turns.jsonl")) if r["split"] == name]
    written = read_jsonl(WRITTEN / "conversations.jsonl", missing_ok=True)
    turns += [_conversation(n, r) for n, r in enumerate(written) if r["split"] == name]
    if name == "validation":
        rows = read_jsonl(LABELLED / "escalation.jsonl")
        messages += [_escalation_case(n, r) for n, r in enumerate(rows) if is_holdout(r["text"], ESCALATION_HOLDOUT)]
    return messages, turns
