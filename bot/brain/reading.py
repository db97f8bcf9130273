"""What one customer message says on its own, whatever came before it.

Everything here depends on the text alone, so it is worked out once per text and cached: the
message is embedded once and every model reads that one vector, and the action server reads
a message ahead of ``decide`` (``Brain.warm``, from ``/prefetch``) while Rasa is still
predicting. ``bot.brain.brain`` adds what the conversation says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from bot.brain import signals
from bot.brain.classifier import TopicClassifier
from bot.brain.conversation import MAX_CHARS
from bot.brain.decision import Thresholds
from bot.brain.embeddings import Embedder
from bot.brain.escalation import EscalationClassifier
from bot.brain.faults import TANGLE_FAULTS, FaultClassifier, clauses
from bot.brain.index import Hit, VectorIndex
from bot.brain.off_topic import OffTopicClassifier
from bot.brain.reply_kind import ReplyKind, ReplyKindClassifier
from bot.brain.sentiment import SentimentClassifier
from bot.core.text import fold_diacritics

EVIDENCE_K = 5
CACHED_TEXTS = 4096
# A clause that reports something wrong, for indexes built before the learned detector.
_PROBLEM = re.compile(
    r"\b(?:nie|brak\w*|zepsu\w*|peknie\w*|pekni\w*|uszkodz\w*|porysowan\w*|zgubi\w*|odrzuc\w*|zl[aey]\b|"
    r"inn[aeyi]\b|wadliw\w*|cieknie|iskrzy|halasuje|martw\w*|trzeszcz\w*|spozni\w*|wgniec\w*|zniszcz\w*|"
    r"zablokowan\w*|bez|not|no|never|missing|broken|wrong|damaged|lost|dead|late|dented|scratched|without|"
    r"rejected|cracked|doesn'?t|didn'?t|can'?t|isn'?t|won'?t|stuck)\b"
)
MIN_PROBLEM_CLAUSES = 3
# A word of three or more capitals ("NIE", "ZNOWU"), or doubled "!" / "?" ("!!", "?!", "??").
_LOUD = re.compile(r"\b[^\W\d_]{3,}\b|[!?]{2}")
Ranking = tuple[tuple[str, float], ...]


def loud(text: str) -> bool:
    """Written loudly: a word in capitals or doubled punctuation (an abbreviation like "VAT" counts;
    it only matters where a customer already rejects an answer)."""
    return any(m.group().isupper() or not m.group().isalpha() for m in _LOUD.finditer(text))


def confidence_of(ranked: Ranking | list[tuple[str, float]]) -> float:
    """p(top) / (p(top) + p(runner-up)), as in ``bot.brain.training.confidence``."""
    p1 = ranked[0][1]
    p2 = ranked[1][1] if len(ranked) > 1 else 0.0
    return p1 / max(p1 + p2, 1e-12)


@dataclass(frozen=True)
class Reading:
    vector: np.ndarray
    topics: Ranking  # every topic, most probable first
    hits: tuple[Hit, ...]  # the nearest stored questions
    negative: float  # probability of negative sentiment
    escalate: float  # the learned detector's probability that a person is needed
    escalation_reason: str | None  # its reason, when it calls a person
    off_topic: float
    problems: int  # faults that make a tangle for a person (2 or more)
    kind: ReplyKind  # what the message would do as a reply to an answer
    human_request: bool
    legal_threat: bool
    loud: bool


class Reader:
    """Reads messages with the trained layers, each text once (cached)."""

    def __init__(self, embedder: Embedder, index: VectorIndex, classifier: TopicClassifier,
                 sentiment: SentimentClassifier, thresholds: Thresholds,
                 escalation: EscalationClassifier | None = None, faults: FaultClassifier | None = None,
                 reply_kind: ReplyKindClassifier | None = None, off_topic: OffTopicClassifier | None = None) -> None:
        self.embedder = embedder
        self.index = index
        self.classifier = classifier
        self.sentiment = sentiment
        self.thresholds = thresholds
        self.escalation = escalation
        self.faults = faults
        self.reply_kind = reply_kind
        self.off_topic = off_topic
        self.vector = lru_cache(maxsize=CACHED_TEXTS)(self._vector)
        # earlier messages are ranked again on every turn (history signals): keep their rankings
        self.topics = lru_cache(maxsize=CACHED_TEXTS)(self._topics)
        self.read = lru_cache(maxsize=CACHED_TEXTS)(self._read)

    def clear(self) -> None:
        """Forget every cached text (to time messages from scratch)."""
        for cached in (self.vector, self.topics, self.read):
            cached.cache_clear()

    def _vector(self, text: str) -> np.ndarray:
        return np.asarray(self.embedder.encode_queries([text])[0])

    def _topics(self, text: str) -> Ranking:
        return self.ranking(text, self.vector(text))

    def ranking(self, text: str, vector: np.ndarray) -> Ranking:
        return tuple(self.classifier.ranked(text, vector, k=len(self.classifier.classes)))

    def top_with_confidence(self, text: str) -> tuple[str, float]:
        ranked = self.topics(text)
        return ranked[0][0], confidence_of(ranked)

    def negative(self, text: str) -> float:
        return float(self.sentiment.negative_probability(self.vector(text)[None, :])[0])

    def kind(self, text: str) -> ReplyKind:
        """What ``text`` would do as a reply to an answer (nothing, without the classifier): the
        vector alone, so an earlier turn is judged without reading it whole."""
        return self.reply_kind.kind(self.vector(text)) if self.reply_kind else ReplyKind(0.0, 0.0, 0.0)

    def together(self, text: str, previous: str) -> Ranking:
        """The topics of a follow-up read with the message before it: the classifier on the two
        texts joined and on the mean of their two vectors, both already computed. Embedding the
        joined text instead costs a third embedding (about 20 ms) and, on the validation split's
        follow-ups, got one more of 35 right (77.1 % against 74.3 %)."""
        vector = self.vector(text) + self.vector(previous)
        vector = vector / max(float(np.linalg.norm(vector)), 1e-12)
        return self.ranking(f"{previous[:MAX_CHARS // 2]} {text}", vector)

    def _read(self, text: str) -> Reading:
        vector = self.vector(text)
        escalate = float(self.escalation.probability([text], vector[None, :])[0]) if self.escalation else 0.0
        calls = self.escalation is not None and escalate >= self.thresholds.escalate
        return Reading(
            vector=vector,
            topics=self.topics(text),
            hits=tuple(self.index.search(vector, EVIDENCE_K)),
            negative=self.negative(text),
            escalate=escalate,
            escalation_reason=self.escalation.reason(vector) if calls and self.escalation else None,
            off_topic=float(self.off_topic.probability(vector[None, :])[0]) if self.off_topic else 0.0,
            problems=self.count_problems(text),
            kind=self.kind(text),
            human_request=signals.asks_for_human(text),
            legal_threat=signals.threatens_legal_action(text),
            loud=loud(text),
        )

    def count_problems(self, text: str) -> int:
        """Faults reported in ``text``: 2 or more only when they make a tangle for a person.

        Only clauses that report something wrong count: context ("jestem w pracy")
        and the question itself ("co mam zrobić?") are not problems. With the learned
        detector, a tangle is three clauses whose fault probabilities add up to
        ``TANGLE_FAULTS``; one fault and a question is routine.
        """
        parts = clauses(text)
        if self.faults is None:
            return self._count_problems_by_pattern(parts)
        keyword_faults = sum(1 for p in parts if _PROBLEM.search(fold_diacritics(p).lower()))
        if len(parts) < MIN_PROBLEM_CLAUSES or keyword_faults < 1:
            # Embedding the clauses costs about as much as the question itself, so skip it when no
            # clause even looks like a fault (the median decision fell from 24.8 to 22.0 ms) or
            # when there are fewer than three: on the validation split that changed no decision
            # (handoff 92.7 %, routine to a person 2.6 % either way; the learned detector finds
            # two problems in one message) and saved an embedding for 12 % of the dev questions.
            return min(keyword_faults, 1)
        probabilities = self.faults.probability(np.asarray(self.embedder.encode_queries(parts)))
        found = int((probabilities >= self.faults.threshold).sum())
        if float(np.sort(probabilities)[::-1][:3].sum()) >= TANGLE_FAULTS:
            return max(found, 2)
        return min(found, 1)

    def _count_problems_by_pattern(self, parts: list[str]) -> int:
        """Faults by keyword; two about confidently different topics, or three, are a tangle."""
        faults = [p for p in parts if _PROBLEM.search(fold_diacritics(p).lower())]
        if len(faults) < 2:
            return len(faults)
        found = {t for t, c in map(self.top_with_confidence, faults) if c >= self.thresholds.problem}
        return max(len(found), 2 if len(faults) >= MIN_PROBLEM_CLAUSES else 0)
