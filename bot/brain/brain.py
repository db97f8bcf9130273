"""Answer, clarify or hand off: the decision for one customer message, with its reasons."""

from __future__ import annotations

import io
import itertools
import json
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import faiss
import joblib

from bot.brain.classifier import TopicClassifier
from bot.brain.conversation import BOT, CUSTOMER, Context, Turn, context_of, parse_history, prepared
from bot.brain.decision import Signals, Thresholds, decide
from bot.brain.embeddings import Embedder
from bot.brain.escalation import EscalationClassifier
from bot.brain.faults import FaultClassifier
from bot.brain.index import Hit, VectorIndex, current_version
from bot.brain.off_topic import OffTopicClassifier
from bot.brain.reading import Reader, confidence_of
from bot.brain.replies import reply
from bot.brain.reply_kind import ReplyKind, ReplyKindClassifier
from bot.brain.sentiment import SentimentClassifier
from bot.core.faq import FaqEntry
from bot.core.language import detect_lang

logger = logging.getLogger(__name__)

CLARIFY_OPTIONS = 3
# One query at a time is searched; FAISS's default thread pool made single queries
# 2.5-4 times slower on 2 cores (measured for the product issue), so serve with one.
SEARCH_THREADS = 1
HISTORY_LOOKBACK = 3
# A follow-up's topic: its own probabilities this much, those of the two messages read together
# the rest. Chosen on the validation split's follow-ups: top-1 77.1% alone, 82.9% mixed,
# new questions unchanged (100%); 0.5: 77.1%, 0.3: 62.9%.
FOLLOW_UP_OWN_WEIGHT = 0.7


@dataclass(frozen=True)
class Decision:
    decision: str  # "answer" | "clarify" | "handoff"
    faq_id: str | None
    score: float
    reasons: list[str]
    lang: str
    answer: str | None
    options: list[dict[str, str]] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    negative: float = 0.0

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def as_turns(history: Sequence[object]) -> list[Turn]:
    """Turns as given, or parsed from strings and mappings (``HistoryError`` names a bad field)."""
    if all(isinstance(h, Turn) for h in history):
        return list(history)  # type: ignore[arg-type]
    return parse_history(history)


class Brain:
    def __init__(self, embedder: Embedder, index: VectorIndex, entries: Sequence[FaqEntry],
                 classifier: TopicClassifier, sentiment: SentimentClassifier, thresholds: Thresholds,
                 register: str = "ty", escalation: EscalationClassifier | None = None,
                 faults: FaultClassifier | None = None, reply_kind: ReplyKindClassifier | None = None,
                 off_topic: OffTopicClassifier | None = None) -> None:
        self.reader = Reader(embedder, index, classifier, sentiment, thresholds, escalation, faults, reply_kind,
                             off_topic)
        self.index = index
        self.entries = {e.id: e for e in entries}
        self.thresholds = thresholds
        self.register = register
        self.version = ""

    # the layers, for the learning loop's mining and for evaluation
    @property
    def embedder(self) -> Embedder:
        return self.reader.embedder

    @property
    def classifier(self) -> TopicClassifier:
        return self.reader.classifier

    @property
    def sentiment(self) -> SentimentClassifier:
        return self.reader.sentiment

    def _topics(self, text: str, k: int = CLARIFY_OPTIONS) -> list[tuple[str, float]]:
        """The ``k`` most probable distinct topics of ``text``, best first: the ranking ``decide`` uses."""
        return list(self.reader.topics(text)[:k])

    def warm(self, text: str) -> None:
        """Read ``text`` ahead of ``decide`` (cached): the action server does this while Rasa
        is still reading the tracker and predicting (``actions/prefetch.py``)."""
        text = prepared(text)
        if any(ch.isalnum() for ch in text):
            self.reader.read(text)

    def topic(self, text: str) -> tuple[str, float]:
        """The most probable topic of ``text`` and the confidence in it (for evaluation)."""
        return self.reader.top_with_confidence(prepared(text))

    def _history_signals(self, context: Context, topic: str) -> tuple[bool, bool]:
        """(the same topic was confidently asked before, the previous message was not understood)."""
        recent = [h for h in context.customer_texts[-HISTORY_LOOKBACK:] if h]
        earlier = [self.reader.top_with_confidence(h) for h in recent]
        repeated = any(t == topic and c >= self.thresholds.answer for t, c in earlier)
        unresolved = bool(earlier) and earlier[-1][1] < self.thresholds.answer
        return repeated, unresolved

    def _rejects(self, text: str) -> bool:
        return self.reader.kind(prepared(text)).rejects >= self.thresholds.reject

    def _rejections(self, history: Sequence[Turn]) -> list[bool]:
        """For each customer turn that followed a bot answer: does it reject that answer?"""
        return [self._rejects(turn.text) for before, turn in itertools.pairwise(history)
                if before.role == BOT and before.decision == "answer" and turn.role == CUSTOMER]

    def _follow_up(self, text: str, previous: str) -> tuple[list[tuple[str, float]], float]:
        """A follow-up that leans on the previous question ("a na raty?"): its own topics, mixed
        with those of the two messages read together."""
        joined = dict(self.reader.together(text, previous))
        mixed = {t: FOLLOW_UP_OWN_WEIGHT * p + (1 - FOLLOW_UP_OWN_WEIGHT) * joined.get(t, 0.0)
                 for t, p in self.reader.topics(text)}
        ranked = sorted(mixed.items(), key=lambda item: -item[1])[:CLARIFY_OPTIONS]
        return ranked, confidence_of(ranked)

    def signals(self, text: str, history: Sequence[object] = ()) -> tuple[Signals, list[tuple[str, float]], list[Hit]]:
        """The signals about ``text`` in its conversation, its ranked topics, and its nearest stored questions."""
        turns = as_turns(history)
        context = context_of(turns)
        reading = self.reader.read(text)
        ranked, hits = list(reading.topics[:CLARIFY_OPTIONS]), list(reading.hits)
        confidence = confidence_of(ranked)
        near_duplicate = self._near_duplicate(hits)
        if near_duplicate:
            # a stored question clearly closer than any other topic's decides the topic
            # (an entry with one or two questions is rarely the classifier's first choice)
            topic = hits[0].row.faq_id
            ranked = [(topic, max(p for _, p in ranked)), *[(t, p) for t, p in ranked if t != topic]]
            confidence = max(confidence, self.thresholds.answer)
        repeated, unresolved = self._history_signals(context, ranked[0][0])
        after_answer = context.last_bot is not None and context.last_bot.decision == "answer"
        previous = context.previous_customer
        kind = reading.kind if after_answer else ReplyKind(0.0, 0.0, 0.0)
        if previous is not None and kind.follow_up >= self.thresholds.follow_up:
            ranked, confidence = self._follow_up(text, previous)
            repeated = False  # a follow-up on the same topic is not the same question again
        thanks = kind.thanks > max(kind.rejects, kind.follow_up)
        if thanks:
            repeated = False  # "ok, found it, thanks"
        upset_before = (not thanks and previous is not None
                        and self.reader.negative(previous) >= self.thresholds.upset)
        return Signals(
            human_request=reading.human_request,
            legal_threat=reading.legal_threat,
            negative=reading.negative,
            escalate=reading.escalate,
            escalation_reason=reading.escalation_reason,
            problems=reading.problems,
            confidence=confidence,
            similarity=hits[0].score if hits else 0.0,
            off_topic=reading.off_topic,
            near_duplicate=near_duplicate,
            repeated_topic=repeated, unresolved_before=unresolved,
            rejects_answer=kind.rejects >= self.thresholds.reject,
            rejected_before=any(self._rejections(turns)),
            clarified_before=context.clarified_before,
            upset_before=upset_before,
            loud=reading.loud,
        ), ranked, hits

    def _near_duplicate(self, hits: list[Hit]) -> bool:
        """The nearest stored question is close, and clearly closer than any other topic's."""
        if not hits or hits[0].score < self.thresholds.out_of_scope:
            return False
        top = hits[0].row.faq_id
        others = [h.score for h in hits if h.row.faq_id != top]
        runner_up = max(others) if others else hits[-1].score
        return hits[0].score - runner_up >= self.thresholds.duplicate_margin

    @staticmethod
    def _evidence(ranked: list[tuple[str, float]], hits: list[Hit]) -> list[dict[str, Any]]:
        return [{"faq_id": t, "probability": round(p, 4)} for t, p in ranked] + [
            {"faq_id": h.row.faq_id, "question": h.row.text, "similarity": round(h.score, 4), "source": h.row.source}
            for h in hits
        ]

    def decide(self, text: str, history: Sequence[object] = ()) -> Decision:
        """Answer, clarify or hand off ``text``; ``history`` is the conversation before it
        (earlier customer messages as strings, or turns: ``bot.brain.conversation``)."""
        text = prepared(text)
        turns = as_turns(history)
        lang = detect_lang(text)
        if not any(ch.isalnum() for ch in text):
            decision, reasons = decide(Signals(empty=True), self.thresholds)
            return Decision(decision, None, 0.0, reasons, lang, reply("empty", lang, self.register))
        sig, ranked, hits = self.signals(text, turns)
        decision, reasons = decide(sig, self.thresholds)
        if reasons == ["answer_rejected"]:
            ranked = self._other_topics(context_of(turns), ranked)
        top = ranked[0][0]
        evidence = self._evidence(ranked, hits)
        answer, options = self._render(decision, reasons, top, ranked, lang)
        faq_id = top if decision != "clarify" or reasons in (["low_confidence"], ["answer_rejected"]) else None
        return Decision(decision, faq_id, round(sig.confidence, 4), reasons, lang, answer, options, evidence,
                        round(sig.negative, 4))

    def _other_topics(self, context: Context, ranked: list[tuple[str, float]]) -> list[tuple[str, float]]:
        """After "that's not what I asked": the question's next likeliest topics, not the one that did
        not help. The rejection itself ("nie o to pytałem") says nothing about the topic."""
        rejected = context.last_bot.faq_id if context.last_bot else None
        question = context.previous_customer
        candidates = list(self.reader.topics(question)) if question else ranked
        return [(t, p) for t, p in candidates if t != rejected][:CLARIFY_OPTIONS] or ranked

    def suggest(self, text: str, k: int = CLARIFY_OPTIONS) -> list[dict[str, Any]]:
        """The ``k`` closest FAQ topics to ``text`` with their answers, for a moderator to pick from.

        Answers are in the language of ``text`` and the brain's register; an empty
        message has no suggestions.
        """
        text = prepared(text)
        if not any(ch.isalnum() for ch in text):
            return []
        lang = detect_lang(text)
        return [
            {"faq_id": t, "title": self.entries[t].title.get(lang, t),
             "answer": self.entries[t].answer(lang, self.register), "score": round(p, 4), "lang": lang}
            for t, p in self._topics(text, k)
        ]

    def _render(self, decision: str, reasons: list[str], top: str, ranked: list[tuple[str, float]],
                lang: str) -> tuple[str, list[dict[str, str]]]:
        if decision == "answer":
            return self.entries[top].answer(lang, self.register), []
        if decision == "handoff":
            return reply("handoff", lang, self.register), []
        if reasons == ["out_of_scope"]:
            return reply("out_of_scope", lang, self.register), []
        if reasons == ["answer_rejected"]:
            options = [{"faq_id": t, "title": self.entries[t].title.get(lang, t)} for t, _ in ranked]
            return reply("rejected", lang, self.register), options
        options = [{"faq_id": t, "title": self.entries[t].title.get(lang, t)} for t, _ in ranked]
        return reply("clarify", lang, self.register), options


def load_brain(index_root: Path, embedder: Embedder, register: str, threshold: float | None,
               version: str | None = None) -> Brain:
    """Load the published index version (or ``version``) with its FAQ entries, trained layers and thresholds."""
    directory = index_root / (version or current_version(index_root))
    faiss.omp_set_num_threads(SEARCH_THREADS)
    index = VectorIndex.load(directory)
    if index.meta.get("embedder") != embedder.name:
        raise ValueError(
            f"index {directory} was built with {index.meta.get('embedder')!r}, "
            f"not {embedder.name!r}: rebuild it with `make index` or set EMBEDDER"
        )
    entries = [FaqEntry.from_json(e) for e in json.loads((directory / "faq.json").read_text("utf-8"))]
    models = joblib.load(io.BytesIO((directory / "models.joblib").read_bytes()))
    thresholds = Thresholds(**index.meta["thresholds"])
    if threshold is not None:
        thresholds = Thresholds(**{**index.meta["thresholds"], "answer": threshold})
    classifier = TopicClassifier.from_state(models["classifier"])
    logger.info("loaded index %s (%d vectors, %s, %s)", directory.name, len(index.rows), embedder.name, thresholds)
    brain = Brain(embedder, index, entries, classifier, models["sentiment"], thresholds, register,
                  models.get("escalation"), models.get("faults"), models.get("reply_kind"), models.get("off_topic"))
    brain.version = directory.name
    return brain
