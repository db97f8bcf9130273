"""What a customer's message right after a bot answer does: rejects the answer ("that's not
what I asked", "still not working, I did that already"), follows up on it ("a na raty?"),
asks something new, or thanks. A logistic regression on the message's embedding.

Trained on ``faq_corpus/labelled/written/turns.jsonl`` rows marked ``train``; the thresholds
are chosen on the rows marked ``validation``: the lowest probability of a rejection (of a
follow-up) that takes at most ``FALSE_REJECTIONS`` (``FALSE_FOLLOW_UPS``) of the other
replies for one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from bot.brain.escalation import routine_threshold
from bot.brain.linear import probabilities
from bot.core.jsonl import read_jsonl

REPLY_C = 2.0
FALSE_REJECTIONS = 0.03
FALSE_FOLLOW_UPS = 0.10
REJECTS, FOLLOW_UP, NEW_QUESTION, THANKS = "rejects_answer", "follow_up", "new_question", "thanks_or_ok"
Rows = tuple[list[str], list[str]]


def turn_rows(path: Path, split: str) -> Rows:
    rows = [r for r in read_jsonl(path, missing_ok=True) if r.get("split") == split]
    return [r["text"] for r in rows], [r["label"] for r in rows]


@dataclass(frozen=True)
class ReplyKind:
    rejects: float
    follow_up: float
    thanks: float


class ReplyKindClassifier:
    def __init__(self) -> None:
        self._model = LogisticRegression(C=REPLY_C, max_iter=3000, class_weight="balanced")

    def fit(self, vectors: np.ndarray, labels: list[str]) -> ReplyKindClassifier:
        self._model.fit(vectors, np.asarray(labels))
        return self

    def probabilities(self, vectors: np.ndarray) -> dict[str, np.ndarray]:
        p = probabilities(self._model, vectors)
        return {str(label): p[:, i] for i, label in enumerate(self._model.classes_)}

    def kind(self, vector: np.ndarray) -> ReplyKind:
        p = self.probabilities(vector[None, :])
        return ReplyKind(*(float(p.get(k, np.zeros(1))[0]) for k in (REJECTS, FOLLOW_UP, THANKS)))


def train_reply_kind(training: Rows, validation: Rows, encode: Callable[[list[str]], np.ndarray]
                     ) -> tuple[ReplyKindClassifier | None, float, float]:
    """The classifier and its (rejection, follow-up) thresholds; above 1 (off) without data."""
    if len(set(training[1])) < 2:
        return None, 1.01, 1.01
    model = ReplyKindClassifier().fit(encode(training[0]), training[1])
    if not validation[0]:
        return model, 1.01, 1.01
    p, labels = model.probabilities(encode(validation[0])), np.asarray(validation[1])
    zeros = np.zeros(len(labels))
    reject = routine_threshold(p.get(REJECTS, zeros), labels != REJECTS, FALSE_REJECTIONS)
    follow = routine_threshold(p.get(FOLLOW_UP, zeros), labels != FOLLOW_UP, FALSE_FOLLOW_UPS)
    return model, reject, follow
