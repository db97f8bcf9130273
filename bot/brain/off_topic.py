"""Is this message about something else than the shop (the weather, homework, another shop)?

The FAISS distance to the nearest stored question misses off-topic messages that happen to
share words with a question. A logistic regression on the embedding, trained on the calm
off-topic messages of the training split against the FAQ's questions and the routine ones,
catches more; its threshold is chosen on the validation split, the lowest one that takes at
most ``ROUTINE_FALSE_ALARMS`` of the routine validation messages for off-topic.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from bot.brain.escalation import routine_threshold
from bot.brain.linear import probabilities
from bot.core.jsonl import read_jsonl

OFF_TOPIC_C = 4.0
ROUTINE_FALSE_ALARMS = 0.01
OFF_TOPIC = "off_topic"
Rows = tuple[list[str], list[bool]]


def off_topic_rows(written: Path, split: str, faq_questions: Sequence[str] = ()) -> Rows:
    """(texts, off-topic?) of the written messages that need no person, and the FAQ's questions."""
    rows = [r for r in read_jsonl(written, missing_ok=True) if r.get("split") == split and r["expected"] != "handoff"]
    return ([r["text"] for r in rows] + list(faq_questions),
            [r["expected"] == OFF_TOPIC for r in rows] + [False] * len(faq_questions))


class OffTopicClassifier:
    def __init__(self) -> None:
        self._model = LogisticRegression(C=OFF_TOPIC_C, max_iter=3000, class_weight="balanced")

    def fit(self, vectors: np.ndarray, off_topic: list[bool]) -> OffTopicClassifier:
        self._model.fit(vectors, np.asarray(off_topic, dtype=int))
        return self

    def probability(self, vectors: np.ndarray) -> np.ndarray:
        return probabilities(self._model, vectors)[:, 1]


def train_off_topic(training: Rows, validation: Rows,
                    encode: Callable[[list[str]], np.ndarray]) -> tuple[OffTopicClassifier | None, float]:
    if len(set(training[1])) < 2:
        return None, 1.01
    model = OffTopicClassifier().fit(encode(training[0]), training[1])
    if not validation[0]:
        return model, 1.01
    p = model.probability(encode(validation[0]))
    return model, routine_threshold(p, ~np.asarray(validation[1]), ROUTINE_FALSE_ALARMS)
