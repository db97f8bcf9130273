"""Customers' ratings of the bot's FAQ answers, read for reviewers: which answers to improve.

The widget channel writes one stream entry per rated answer (``bot.rasa_side.channels.answer_ratings``).
``tally`` counts them per FAQ entry (a plain function); ``AnswerRatings.report`` adds, for the
entries with the most "not helpful" ratings, examples of the customer's question before a rated
answer, read from the conversation's event list (no customer text is copied into the stream; an
erased conversation leaves no example). Read-only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from bot.core.keys import TrackerKeys
from bot.core.text import as_str

READ_BATCH = 1000  # stream entries read per XRANGE
REPORT_ENTRIES = 20  # FAQ entries in the reviewers' report
EXAMPLES_PER_ENTRY = 3  # the newest questions that got a "not helpful" answer, per entry
MAX_EXAMPLE_CHARS = 500


@dataclass(frozen=True)
class Rating:
    conversation: str
    faq_id: str
    helpful: bool
    at: float
    question_index: int

    @classmethod
    def from_fields(cls, fields: dict[str, str]) -> Rating | None:
        try:
            return cls(fields["conversation"], fields["faq_id"], fields["helpful"] == "1", float(fields["at"]),
                       int(fields.get("question_index") or -1))
        except (KeyError, ValueError):
            return None


@dataclass
class FaqTally:
    faq_id: str
    helpful: int = 0
    not_helpful: int = 0
    unhelpful: list[Rating] = field(default_factory=list)  # newest first

    @property
    def helpful_share(self) -> float:
        total = self.helpful + self.not_helpful
        return self.helpful / total if total else 0.0

    def to_json(self) -> dict[str, Any]:
        return {"faq_id": self.faq_id, "helpful": self.helpful, "not_helpful": self.not_helpful,
                "helpful_share": round(self.helpful_share, 4)}


def tally(ratings: list[Rating], since: float = 0.0) -> list[FaqTally]:
    """Counts per FAQ entry of the ratings at or after ``since``; most "not helpful" first, then by id."""
    by_id: dict[str, FaqTally] = {}
    for r in ratings:
        if r.at < since:
            continue
        entry = by_id.setdefault(r.faq_id, FaqTally(r.faq_id))
        if r.helpful:
            entry.helpful += 1
        else:
            entry.not_helpful += 1
            entry.unhelpful.insert(0, r)
    return sorted(by_id.values(), key=lambda e: (-e.not_helpful, e.faq_id))


class AnswerRatings:
    def __init__(self, client: Any, tracker: TrackerKeys) -> None:
        self.redis, self.tracker = client, tracker

    async def all(self) -> list[Rating]:
        """Every rating in the stream, oldest first (the stream is capped by length)."""
        out: list[Rating] = []
        start = "-"
        while True:
            entries = await self.redis.xrange(self.tracker.answer_ratings, start, "+", count=READ_BATCH)
            out += [r for _, f in entries if (r := Rating.from_fields({as_str(k): as_str(v) for k, v in f.items()}))]
            if len(entries) < READ_BATCH:
                return out
            start = "(" + as_str(entries[-1][0])

    async def question(self, rating: Rating) -> str | None:
        """The customer's message before the rated answer; None when it is gone."""
        if rating.question_index < 0:
            return None
        raw = await self.redis.lindex(self.tracker.events(rating.conversation), rating.question_index)
        try:
            event = json.loads(raw) if raw else None
        except ValueError:
            return None
        text = event.get("text") if isinstance(event, dict) and event.get("event") == "user" else None
        return text[:MAX_EXAMPLE_CHARS] if isinstance(text, str) else None

    async def report(self, since: float = 0.0) -> list[dict[str, Any]]:
        """The FAQ entries with the most "not helpful" ratings, with example questions."""
        entries = [e for e in tally(await self.all(), since) if e.not_helpful][:REPORT_ENTRIES]
        out = []
        for entry in entries:
            examples: list[str] = []
            for rating in entry.unhelpful:
                if len(examples) == EXAMPLES_PER_ENTRY:
                    break
                text = await self.question(rating)
                if text is not None:
                    examples.append(text)
            out.append({**entry.to_json(), "examples": examples})
        return out
