"""The rules that turn signals about one message into answer, clarify or handoff.

Pure functions over plain values, so each rule is tested with real examples.
Order matters: a person's explicit wish and anger come before any confidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Thresholds:
    answer: float  # confidence needed to answer: p(top) / (p(top) + p(runner-up))
    out_of_scope: float  # below this cosine to every stored question the message is off-topic
    negative: float  # probability of negative sentiment that calls a person
    problem: float = 0.7  # confidence about one clause's topic when counting problems
    escalate: float = 1.01  # probability from the learned detector that calls a person (above 1: off)
    # A stored question this much closer than any other topic's (and the same topic as the
    # classifier's) makes the answer confident: new entries with one or two questions are
    # otherwise never confident enough. Above 1: off (indexes built before it existed).
    duplicate_margin: float = 1.01


@dataclass(frozen=True)
class Signals:
    empty: bool = False
    human_request: bool = False
    legal_threat: bool = False
    compensation: bool = False
    public_complaint: bool = False
    negative: float = 0.0
    escalate: float = 0.0  # the learned detector's probability that a person is needed
    problems: int = 0  # clauses confidently about different topics
    confidence: float = 0.0  # p(top) / (p(top) + p(runner-up)): how clearly one topic wins
    similarity: float = 0.0  # best cosine to any stored question
    repeated_topic: bool = False  # the answer to this topic was given earlier and did not help
    unresolved_before: bool = False  # the previous message was not understood either
    reasons: list[str] = field(default_factory=list)


def escalation_reasons(s: Signals, t: Thresholds) -> list[str]:
    """Every reason for a person to take over, in a fixed order."""
    checks = [
        ("human_request", s.human_request),
        ("legal_threat", s.legal_threat),
        ("compensation", s.compensation),
        ("public_complaint", s.public_complaint),
        ("negative_sentiment", s.negative >= t.negative),
        ("multiple_problems", s.problems >= 2),
        ("repeated_question", s.repeated_topic),
    ]
    if not any(hit for _, hit in checks) and s.escalate >= t.escalate:
        checks.append(("complex_or_upset", True))
    return [name for name, hit in checks if hit]


def decide(s: Signals, t: Thresholds) -> tuple[str, list[str]]:
    """``(decision, reasons)``; decision is "answer", "clarify" or "handoff"."""
    if s.empty:
        return "clarify", ["empty"]
    reasons = escalation_reasons(s, t)
    if reasons:
        return "handoff", reasons
    if s.similarity < t.out_of_scope:
        return "clarify", ["out_of_scope"]
    if s.confidence >= t.answer:
        return "answer", ["confident"]
    if s.unresolved_before:
        return "handoff", ["low_confidence", "second_attempt"]
    return "clarify", ["low_confidence"]
