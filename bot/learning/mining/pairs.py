"""Question and answer pairs from handed-off conversations: what the bot could not handle and
how the moderator answered it, leaving out questions an admin already approved."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.brain.signals import asks_for_human
from bot.core.text import words
from bot.learning.mining.answers import clean_answer, first_name

# A moderator turn shorter than this once cleaned ("Już sprawdzam.", "What's the order number?")
# is not the answer while a longer one follows.
MIN_ANSWER_CHARS = 60
# Handoffs after a failed attempt: the question is the one the bot tried, not the customer's retort.
RETRY_REASONS = frozenset({"repeated_question", "low_confidence"})
# An approved question shorter than this must match a whole question to count as already approved.
MIN_QUOTE_CHARS = 12
PERSON_REQUEST_WORDS = 8  # a longer message asking for a person usually says what it is about

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class Pair:
    conversation_id: str
    lang: str
    question: str
    answer: str
    customer_name: str
    # The archive's ``faq_ids``: topics that really fit the conversation ([] when the FAQ has none).
    faq_ids: tuple[str, ...] = ()


def _handoff_index(turns: Sequence[dict[str, Any]], handoff: dict[str, Any] | None) -> int | None:
    """Index of the bot's handoff notice, else of the first moderator turn."""
    at = (handoff or {}).get("at")
    for n, turn in enumerate(turns):
        if at and turn["role"] == "bot" and turn["at"] == at:
            return n
    return next((n for n, t in enumerate(turns) if t["role"] == "moderator"), None)


def _only_asks_for_a_person(text: str) -> bool:
    return asks_for_human(text) and len(words(text)) <= PERSON_REQUEST_WORDS


def _question_index(turns: Sequence[dict[str, Any]], end: int, reasons: Iterable[str]) -> int | None:
    """The customer turn the handoff was about: the last before ``end``, or after a failed bot
    attempt (``RETRY_REASONS``) the one the bot tried to answer."""
    asked = [n for n in range(end) if turns[n]["role"] == "customer"]
    # "konsultant", "I want a human": the request, not the question; the question came before it
    while len(asked) > 1 and _only_asks_for_a_person(str(turns[asked[-1]]["text"])):
        asked.pop()
    if not asked:
        return None
    last = asked[-1]
    if RETRY_REASONS.intersection(reasons) and last > 0 and turns[last - 1]["role"] == "bot":
        earlier = [n for n in asked if n < last - 1]
        if earlier:
            return earlier[-1]
    return last


def _answer_text(turns: Sequence[dict[str, Any]], start: int, name: str) -> str:
    """The first moderator turn after ``start`` that says something; the longest if none does."""
    replies = [str(t["text"]) for t in turns[start:] if t["role"] == "moderator"]
    substantial = [r for r in replies if len(clean_answer(r, name)) >= MIN_ANSWER_CHARS]
    if substantial:
        return substantial[0]
    return max(replies, key=lambda r: len(clean_answer(r, name)), default="")


def extract_pairs(conversation: dict[str, Any]) -> list[Pair]:
    """The question the bot could not handle and the moderator's answer to it (no pair without one)."""
    turns = conversation.get("turns", [])
    end = _handoff_index(turns, conversation.get("handoff"))
    if end is None:
        return []
    asked = _question_index(turns, end, (conversation.get("handoff") or {}).get("reasons", []))
    name = first_name(conversation.get("customer", {}).get("display_name", ""))
    answer = _answer_text(turns, end, name)
    if asked is None or not answer:
        return []
    return [Pair(conversation["id"], conversation.get("lang", "pl"), turns[asked]["text"].strip(), answer, name,
                 tuple(conversation.get("faq_ids", ())))]


def question_key(text: str) -> str:
    """``text`` folded to its words, padded so that a key inside another is a whole-word quote."""
    return " " + " ".join(words(text)) + " "


def approved_questions(conversations: Iterable[dict[str, Any]]) -> set[str]:
    """Every approved question, folded to its words."""
    return {question_key(qa["question"]) for c in conversations for qa in c.get("approved_qa", [])}


def is_approved(question: str, approved: set[str]) -> bool:
    """Approved as asked, or an approved quote of it (admins quote the question part of a turn)."""
    key = question_key(question)
    return key in approved or any(len(a) >= MIN_QUOTE_CHARS and a in key for a in approved)


def mined_pairs(conversations: Sequence[dict[str, Any]]) -> list[Pair]:
    """Pairs from moderator-resolved conversations whose question no admin approved yet."""
    approved = approved_questions(conversations)
    return [p for c in conversations if c.get("outcome") == "moderator_resolved"
            for p in extract_pairs(c) if not is_approved(p.question, approved)]


def question_focus(text: str) -> str:
    """The sentences that ask something ("...?"), without the context around them; else all of it.

    On the demo archive this found the nearest question of the same uncovered topic for 12 of 25
    Polish questions with e5, against 8 of 25 for the whole message."""
    asked = [s for s in _SENTENCE_END.split(text.strip()) if s.rstrip().endswith("?")]
    return " ".join(asked) if asked else text.strip()
