"""Each case through the brain, and what the outcomes add up to."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bench.judgement.data import Case
from bot.brain.brain import Brain, Decision


@dataclass(frozen=True)
class Outcome:
    case: Case
    decision: Decision

    @property
    def top_topic(self) -> str | None:
        topics = [e["faq_id"] for e in self.decision.evidence if "probability" in e]
        return topics[0] if topics else None

    @property
    def right(self) -> bool:
        """The decision is what the case expects (for an answer: about the expected topic)."""
        got, want = self.decision.decision, self.case.expected
        if want == "answer":
            return got == "answer" and (self.case.faq_id is None or self.decision.faq_id == self.case.faq_id)
        if want == "off_topic":
            return got != "answer"
        if want == "not_answer":
            return got != "answer"
        if want == "not_handoff":
            return got != "handoff"
        return got == want

    @property
    def off_topic_reply(self) -> bool:
        return self.decision.reasons == ["out_of_scope"]


def judge(brain: Brain, cases: Iterable[Case]) -> list[Outcome]:
    return [Outcome(c, brain.decide(c.text, c.history)) for c in cases]


def _share(hits: int, total: int) -> dict[str, Any]:
    return {"n": total, "hits": hits, "pct": round(100 * hits / total, 1) if total else None}


def _by(outcomes: list[Outcome], key: Any, hit: Any) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        groups[key(o)].append(o)
    return {k: _share(sum(map(hit, v)), len(v)) for k, v in sorted(groups.items())}


def message_metrics(outcomes: list[Outcome]) -> dict[str, Any]:
    need = [o for o in outcomes if o.case.expected == "handoff"]
    routine = [o for o in outcomes if o.case.expected in ("answer", "not_handoff")]
    topical = [o for o in routine if o.case.faq_id]
    off = [o for o in outcomes if o.case.expected == "off_topic"]
    handed = lambda o: o.decision.decision == "handoff"  # noqa: E731
    return {
        "handoff_recall": _share(sum(map(handed, need)), len(need)),
        "handoff_recall_by_category": _by(need, lambda o: o.case.category, handed),
        "handoff_recall_by_lang": _by(need, lambda o: o.case.lang, handed),
        "routine_sent_to_person": _share(sum(map(handed, routine)), len(routine)),
        "routine_top1_by_lang": _by(topical, lambda o: o.case.lang, lambda o: o.top_topic == o.case.faq_id),
        "routine_answered_right_by_lang": _by(topical, lambda o: o.case.lang, lambda o: o.right),
        "off_topic_not_answered": _share(sum(o.decision.decision != "answer" for o in off), len(off)),
        "need_a_person_given_off_topic_reply": _share(sum(o.off_topic_reply for o in need), len(need)),
        "handoff_reasons": dict(sorted(_reasons(need).items())),
    }


def _reasons(outcomes: list[Outcome]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for o in outcomes:
        for reason in o.decision.reasons:
            counts[reason] += 1
    return counts


def conversation_metrics(outcomes: list[Outcome]) -> dict[str, Any]:
    return {"right": _share(sum(o.right for o in outcomes), len(outcomes)),
            "right_by_category": _by(outcomes, lambda o: f"{o.case.category} → {o.case.expected}", lambda o: o.right)}


def misses(outcomes: list[Outcome]) -> list[dict[str, Any]]:
    return [{"id": o.case.id, "category": o.case.category, "expected": o.case.expected, "faq_id": o.case.faq_id,
             "got": o.decision.decision, "got_faq_id": o.decision.faq_id, "reasons": o.decision.reasons,
             "text": o.case.text} for o in outcomes if not o.right]
