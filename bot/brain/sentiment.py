"""Negative sentiment in Polish and English: logistic regression on the sentence embeddings.

Trained on ``faq_corpus/labelled/sentiment.jsonl``, which holds many calm routine
questions with negative-looking words ("niestety nie pamiętam numeru zamówienia")
labelled neutral, so that such words alone do not look angry.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from bot.brain.linear import probabilities
from bot.core.jsonl import read_jsonl

SENTIMENT_C = 4.0
HOLDOUT_SHARE = 0.25


@dataclass(frozen=True)
class Labelled:
    text: str
    lang: str
    negative: bool


def load_labelled(path: Path) -> list[Labelled]:
    rows = read_jsonl(path)
    return [Labelled(r["text"], r["lang"], r["label"] == "negative") for r in rows]


def is_holdout(text: str, share: float = HOLDOUT_SHARE) -> bool:
    """A stable share of the labelled data, kept out of training for measurement."""
    return hashlib.sha256(text.encode()).digest()[0] < 256 * share


class SentimentClassifier:
    def __init__(self) -> None:
        self._model = LogisticRegression(C=SENTIMENT_C, max_iter=3000, class_weight="balanced")

    def fit(self, vectors: np.ndarray, negative: Sequence[bool] | np.ndarray) -> SentimentClassifier:
        self._model.fit(vectors, np.asarray(negative, dtype=int))
        return self

    def negative_probability(self, vectors: np.ndarray) -> np.ndarray:
        return probabilities(self._model, vectors)[:, 1]
