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
    # The learned rejection of the bot's last answer (above 1: off, indexes built before it).
    reject: float = 1.01
    follow_up: float = 1.01  # the learned follow-up ("a na raty?"): read with the previous question
    # An upset message: negative sentiment at this level or more reaches at most a few percent of
    # routine messages. Never given the off-topic reply; two in a row go to a person.
    upset: float = 1.01
    off_topic: float = 1.01  # the learned off-topic detector (above 1: off)
    # A rejection of the answer this negative is upset. Rejections read as negative whatever their
    # tone ("nie o to pytałem": 0.72), so the bar is higher than ``upset``; chosen on the validation
    # conversations (faq_corpus/labelled/written/conversations.jsonl): calm rejections offered other
    # topics 21 of 25, upset ones and second ones handed off 25 of 25 (0.85: 19 and 25; 0.94: 21 and 24).
    rejection_upset: float = 0.9


@dataclass(frozen=True)
class Signals:
    empty: bool = False
    human_request: bool = False
    legal_threat: bool = False
    escalation_reason: str | None = None  # the learned detector's reason, when it calls a person
    negative: float = 0.0
    escalate: float = 0.0  # the learned detector's probability that a person is needed
    problems: int = 0  # clauses confidently about different topics
    confidence: float = 0.0  # p(top) / (p(top) + p(runner-up)): how clearly one topic wins
    similarity: float = 0.0  # best cosine to any stored question
    off_topic: float = 0.0  # the learned detector's probability that the message is not about the shop
    near_duplicate: bool = False  # a stored question (an admin's new entry too) is clearly the nearest
    repeated_topic: bool = False  # the answer to this topic was given earlier and did not help
    unresolved_before: bool = False  # the previous message was not understood either
    rejects_answer: bool = False  # the customer rejects the answer the bot just gave
    rejected_before: bool = False  # … and did so earlier in the conversation too
    clarified_before: bool = False  # the bot already asked which topic was meant
    upset_before: bool = False  # the previous customer message was upset too
    loud: bool = False  # written loudly: a word in capitals, "!!", "?!"
    reasons: list[str] = field(default_factory=list)


def escalation_reasons(s: Signals, t: Thresholds) -> list[str]:
    """Every reason for a person to take over, in a fixed order."""
    checks = [
        ("human_request", s.human_request),
        ("legal_threat", s.legal_threat),
        ("negative_sentiment", s.negative >= t.negative or (upset(s, t) and s.upset_before)),
        ("multiple_problems", s.problems >= 2),
        ("repeated_question", s.repeated_topic),
    ]
    if not any(hit for _, hit in checks) and s.escalate >= t.escalate:
        checks.append((s.escalation_reason or "complex_or_upset", True))
    return [name for name, hit in checks if hit]


def upset(s: Signals, t: Thresholds) -> bool:
    return s.negative >= t.upset


def rejection(s: Signals, t: Thresholds) -> tuple[str, list[str]]:
    """The customer says the answer did not help: other topics once, then a person.

    Only the unambiguous signals hand a rejection off as they would any message: its wording
    reads as negative and as a complaint to the learned detectors (on the validation
    conversations they sent 24 of 25 calm rejections to a person). A person at once when the
    topic was right and the answer still did not help (the same topic again), when topics were
    offered or rejected before, and when the customer is upset or writes loudly.
    """
    explicit = [name for name, hit in (("human_request", s.human_request), ("legal_threat", s.legal_threat),
                                       ("multiple_problems", s.problems >= 2)) if hit]
    if explicit:
        return "handoff", explicit
    if s.repeated_topic:
        return "handoff", ["answer_rejected", "repeated_question"]
    if s.clarified_before or s.rejected_before:
        return "handoff", ["answer_rejected"]
    if s.loud or s.negative >= t.rejection_upset:
        return "handoff", ["answer_rejected", "negative_sentiment"]
    return "clarify", ["answer_rejected"]


def decide(s: Signals, t: Thresholds) -> tuple[str, list[str]]:
    """``(decision, reasons)``; decision is "answer", "clarify" or "handoff"."""
    if s.empty:
        return "clarify", ["empty"]
    if s.rejects_answer:
        return rejection(s, t)
    reasons = escalation_reasons(s, t)
    if reasons:
        return "handoff", reasons
    # the learned detector knows the FAQ it was trained with; an entry added since wins when it is this close
    if s.similarity < t.out_of_scope or (s.off_topic >= t.off_topic and not s.near_duplicate):
        # an upset customer is never told "I can't help with that"
        return ("handoff", ["negative_sentiment"]) if upset(s, t) else ("clarify", ["out_of_scope"])
    if s.confidence >= t.answer:
        return "answer", ["confident"]
    if s.unresolved_before or s.clarified_before:
        return "handoff", ["low_confidence", "second_attempt"]
    return "clarify", ["low_confidence"]
