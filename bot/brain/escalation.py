"""Does this message need a person, and why? Learned from labelled messages, not a word list.

Whether a person is needed: a logistic regression on the sentence embedding (meaning,
across languages), one on folded character n-grams and shouting (exact words, typos, missing
diacritics, capitals, "!!!") and a vote of the nearest labelled messages, averaged; every
labelled reason against routine questions, calm off-topic chat, replies to the bot's answers
and the FAQ's own questions.
Which reason it is (anger, compensation, a security incident, a problem bounced between
third parties …): a third regression on the embedding, so the ticket's reason stays explainable.

Trained on the training split only: ``faq_corpus/labelled/written/`` rows marked ``train``,
the training half of ``escalation.jsonl`` and the training part of ``sentiment.jsonl``. The
weights and the threshold are chosen on the validation split (``validation_rows``): the
threshold is the lowest one that sends at most ``ROUTINE_FALSE_ALARMS`` of the routine
validation messages to a person, the weights those that then hand off the most of the
messages that need a person (measured there: the embedding alone 65%, with the character
n-grams 83%, with the vote as well 89%).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn import config_context
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from bot.brain.linear import probabilities
from bot.brain.sentiment import is_holdout, load_labelled
from bot.core.jsonl import read_jsonl
from bot.core.text import fold_diacritics

ESCALATION_C = 16.0  # validation recall at 2% false alarms: C=4 65%, 16 69%, 64 69%
LEXICAL_C = 8.0
NEIGHBOURS = 20  # the vote: 10 neighbours 76%, 20 78% alone on the validation split
DENSE_WEIGHTS = (0.4, 0.5, 0.6, 0.7, 0.8, 1.0)  # tried on the validation split
VOTE_WEIGHTS = (0.0, 0.2, 0.3, 0.4, 0.5)
REASON_C = 2.0
ESCALATION_HOLDOUT = 0.5  # escalation.jsonl's held-out half is part of the validation split
ROUTINE_FALSE_ALARMS = 0.02  # share of routine validation messages allowed to reach a person through this detector
ROUTINE = "routine"
GENERIC_REASON = "complex_or_upset"  # for a detector saved before it named reasons
# escalation.jsonl's reasons in the written sets' vocabulary
_REASONS = {"negative_sentiment": "anger", "routine": ROUTINE, "out_of_scope": ROUTINE}
Rows = tuple[list[str], list[str]]


def _written(path: Path, split: str) -> Rows:
    rows = [r for r in read_jsonl(path, missing_ok=True) if r.get("split") == split]
    return [r["text"] for r in rows], [r["category"] if r["expected"] == "handoff" else ROUTINE for r in rows]


def _escalation(path: Path, held_out: bool) -> Rows:
    rows = [r for r in read_jsonl(path, missing_ok=True) if is_holdout(r["text"], ESCALATION_HOLDOUT) == held_out]
    return [r["text"] for r in rows], [_REASONS.get(r["reason"], r["reason"]) if r["expected"] == "handoff"
                                      else ROUTINE for r in rows]


def _replies(turns: Path, split: str) -> list[str]:
    """Customers' replies to an answer that ask for nobody ("ok, thanks", "a na raty?")."""
    return [r["text"] for r in read_jsonl(turns, missing_ok=True)
            if r.get("split") == split and r["label"] != "rejects_answer"]


def training_rows(escalation: Path, sentiment: Path, written: Path, faq_questions: Sequence[str]) -> Rows:
    """(texts, reasons) of the training split; ``ROUTINE`` where no person is needed."""
    labelled = [r for r in load_labelled(sentiment) if not is_holdout(r.text)]
    texts, reasons = _escalation(escalation, held_out=False)
    more_texts, more_reasons = _written(written / "messages.jsonl", "train")
    replies = _replies(written / "turns.jsonl", "train")
    return (texts + more_texts + [r.text for r in labelled] + replies + list(faq_questions),
            reasons + more_reasons + ["anger" if r.negative else ROUTINE for r in labelled]
            + [ROUTINE] * (len(replies) + len(faq_questions)))


def validation_rows(escalation: Path, written: Path) -> Rows:
    texts, reasons = _escalation(escalation, held_out=True)
    more_texts, more_reasons = _written(written / "messages.jsonl", "validation")
    replies = _replies(written / "turns.jsonl", "validation")
    return texts + more_texts + replies, reasons + more_reasons + [ROUTINE] * len(replies)


def shouting(texts: Sequence[str]) -> csr_matrix:
    """Share of capitals among letters, and exclamation marks (capped): how loudly it is written."""
    rows = []
    for text in texts:
        letters = [c for c in text if c.isalpha()]
        caps = sum(c.isupper() for c in letters) / len(letters) if len(letters) >= 8 else 0.0
        rows.append([caps, min(text.count("!"), 5) / 5])
    return csr_matrix(np.asarray(rows, dtype=float).reshape(len(rows), 2))


class EscalationClassifier:
    def __init__(self, dense_weight: float = 1.0) -> None:
        self._model = LogisticRegression(C=ESCALATION_C, max_iter=3000, class_weight="balanced")
        self._lexical = LogisticRegression(C=LEXICAL_C, max_iter=3000, class_weight="balanced")
        self._chars = TfidfVectorizer(sublinear_tf=True, analyzer="char_wb", ngram_range=(2, 5), min_df=2)
        self._reasons: LogisticRegression | None = None
        self._neighbours = np.zeros((0, 0), dtype=np.float32)
        self._escalates = np.zeros(0, dtype=bool)
        self.dense_weight = dense_weight
        self.vote_weight = 0.0

    def _features(self, texts: Sequence[str], fit: bool = False) -> csr_matrix:
        folded = [fold_diacritics(t).lower() for t in texts]
        if fit:
            return hstack([self._chars.fit_transform(folded), shouting(texts)]).tocsr()
        with config_context(assume_finite=True, skip_parameter_validation=True):  # the vocabulary is ours
            return hstack([self._chars.transform(folded), shouting(texts)]).tocsr()

    def fit(self, texts: Sequence[str], vectors: np.ndarray, reasons: Sequence[str]) -> EscalationClassifier:
        labels = np.asarray(reasons)
        escalate = (labels != ROUTINE).astype(int)
        self._model.fit(vectors, escalate)
        self._lexical.fit(self._features(texts, fit=True), escalate)
        self._neighbours, self._escalates = np.asarray(vectors, dtype=np.float32), escalate.astype(bool)
        if len(set(labels[escalate == 1])) > 1:
            self._reasons = LogisticRegression(C=REASON_C, max_iter=3000, class_weight="balanced")
            self._reasons.fit(vectors[escalate == 1], labels[escalate == 1])
        return self

    def vote(self, vectors: np.ndarray) -> np.ndarray:
        """Share of the ``NEIGHBOURS`` nearest labelled messages that needed a person."""
        if not len(self._escalates):
            return np.zeros(len(vectors))
        similar = np.asarray(vectors, dtype=np.float32) @ self._neighbours.T
        k = min(NEIGHBOURS, similar.shape[1])
        nearest = np.argpartition(-similar, k - 1, axis=1)[:, :k]
        return np.asarray(self._escalates[nearest].mean(axis=1))

    def parts(self, texts: Sequence[str], vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(the embedding model's, the lexical model's, the neighbours') probability that a person is needed."""
        return (probabilities(self._model, vectors)[:, 1], probabilities(self._lexical, self._features(texts))[:, 1],
                self.vote(vectors))

    def probability(self, texts: Sequence[str], vectors: np.ndarray) -> np.ndarray:
        if not hasattr(self, "_neighbours"):  # saved before the lexical part and the vote existed
            return probabilities(self._model, vectors)[:, 1]
        return combine(*self.parts(texts, vectors), self.dense_weight, self.vote_weight)

    def reason(self, vector: np.ndarray) -> str:
        """The likeliest reason a person is needed for one message's vector."""
        model = getattr(self, "_reasons", None)
        if model is None:
            return GENERIC_REASON
        return str(model.classes_[int(np.argmax(probabilities(model, vector[None, :])[0]))])


def routine_threshold(probabilities: np.ndarray, routine: np.ndarray, share: float) -> float:
    """The lowest threshold that at most ``share`` of the routine messages reach."""
    calm = np.sort(probabilities[routine])
    if len(calm) == 0:
        return 1.01
    # just above the routine message at that rank (rounded up, so that it does not pass)
    return math.floor(float(calm[min(int(len(calm) * (1 - share)), len(calm) - 1)]) * 1e4) / 1e4 + 1e-4


def combine(dense: np.ndarray, lexical: np.ndarray, vote: np.ndarray, dense_weight: float,
            vote_weight: float) -> np.ndarray:
    models = dense_weight * dense + (1 - dense_weight) * lexical
    return np.asarray((1 - vote_weight) * models + vote_weight * vote)


def train_escalation(training: Rows, validation: Rows,
                     encode: Callable[[list[str]], np.ndarray]) -> tuple[EscalationClassifier, float]:
    """The detector, fitted on the training rows; its weight and threshold, chosen on the validation rows."""
    detector = EscalationClassifier().fit(training[0], encode(training[0]), training[1])
    if not validation[0]:
        return detector, 1.01
    parts = detector.parts(validation[0], encode(validation[0]))
    routine = np.asarray(validation[1]) == ROUTINE
    best = (-1.0, 1.0, 0.0, 1.01)  # (recall, dense weight, vote weight, threshold)
    for dense_weight in DENSE_WEIGHTS:
        for vote_weight in VOTE_WEIGHTS:
            p = combine(*parts, dense_weight, vote_weight)
            threshold = routine_threshold(p, routine, ROUTINE_FALSE_ALARMS)
            recall = float((p[~routine] >= threshold).mean()) if (~routine).any() else 0.0
            best = max(best, (recall, dense_weight, vote_weight, threshold))
    detector.dense_weight, detector.vote_weight = best[1], best[2]
    return detector, best[3]
