"""The classifiers compared: k-NN over FAISS and logistic regressions, each giving a prediction and a confidence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass
class Scores:
    pred: np.ndarray
    conf: np.ndarray


def from_proba(proba: np.ndarray) -> Scores:
    """LR confidence: the max class probability."""
    return Scores(proba.argmax(axis=1), proba.max(axis=1))


def build_index(vectors: np.ndarray) -> Any:
    import faiss

    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def knn_vote(sims: np.ndarray, neighbours: np.ndarray, n_classes: int) -> np.ndarray:
    """Majority vote; ties go to the class with the larger summed cosine (< 1 vote in total)."""
    rows = np.repeat(np.arange(len(sims)), sims.shape[1])
    votes = np.zeros((len(sims), n_classes))
    np.add.at(votes, (rows, neighbours.ravel()), 1.0 + 1e-3 * sims.ravel())
    return np.asarray(votes.argmax(axis=1))


def knn_scores(index: Any, y_index: np.ndarray, x: np.ndarray, k: int, n_classes: int) -> Scores:
    """NN confidence: the max cosine (the nearest neighbour's similarity)."""
    sims, ids = index.search(np.ascontiguousarray(x, dtype=np.float32), k)
    labels = y_index[ids]
    pred = labels[:, 0] if k == 1 else knn_vote(sims, labels, n_classes)
    return Scores(pred, sims[:, 0].copy())


class EmbeddingLR:
    """The light layer: multinomial logistic regression on frozen (concatenated) embeddings."""

    def __init__(self, c: float) -> None:
        from sklearn.linear_model import LogisticRegression

        self.model = LogisticRegression(C=c, max_iter=3000)

    def fit(self, texts: Sequence[str], x: np.ndarray, y: np.ndarray) -> EmbeddingLR:
        self.model.fit(x, y)
        return self

    def proba(self, texts: Sequence[str], x: np.ndarray) -> np.ndarray:
        return np.asarray(self.model.predict_proba(x))


class TfidfLR:
    """Logistic regression on word 1-2-gram + character 2-5-gram TF-IDF of the raw text."""

    def __init__(self, c: float) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline, make_union

        words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, lowercase=True)
        chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, lowercase=True)
        self.model = make_pipeline(make_union(words, chars), LogisticRegression(C=c, max_iter=3000))

    def fit(self, texts: Sequence[str], x: np.ndarray, y: np.ndarray) -> TfidfLR:
        self.model.fit(list(texts), y)
        return self

    def proba(self, texts: Sequence[str], x: np.ndarray) -> np.ndarray:
        return np.asarray(self.model.predict_proba(list(texts)))
