"""Which FAQ topic a message is about: a light layer trained on this machine.

Two logistic regressions, averaged: one on the frozen sentence embeddings
(meaning, across languages), one on TF-IDF of Polish lemmas and folded character
n-grams (exact words, inflection, missing diacritics). Measured on the held-out
dev set (README, "Retrieval"): either alone is weaker than the pair.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.sparse import hstack
from sklearn import config_context
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from bot.brain.lexical import Lemmatizer
from bot.brain.linear import probabilities
from bot.core.text import fold_diacritics

# Chosen by 5-fold cross-validation over the FAQ's own questions (not the dev set):
# out-of-fold top-1 82.1% at C=10, weight 0.6; 84.4% at C=40, weight 0.7.
DENSE_C = 40.0
LEXICAL_C = 20.0
DENSE_WEIGHT = 0.7  # share of the embedding model in the averaged probability


def _folded(texts: Sequence[str]) -> list[str]:
    return [fold_diacritics(t).lower() for t in texts]


class TopicClassifier:
    def __init__(self, lemmatizer: Lemmatizer) -> None:
        self.lemmatizer = lemmatizer
        self._dense = LogisticRegression(C=DENSE_C, max_iter=3000)
        self._lexical = LogisticRegression(C=LEXICAL_C, max_iter=3000)
        self._words = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), token_pattern=r"\S+")
        self._chars = TfidfVectorizer(sublinear_tf=True, analyzer="char_wb", ngram_range=(2, 5))
        self.classes: list[str] = []

    def _lexical_features(self, texts: Sequence[str], fit: bool = False) -> Any:
        lemmas = [" ".join(self.lemmatizer.tokens(t)) for t in texts]
        folded = _folded(texts)
        if fit:
            return hstack([self._words.fit_transform(lemmas), self._chars.fit_transform(folded)]).tocsr()
        with config_context(assume_finite=True, skip_parameter_validation=True):  # the vocabularies are ours
            return hstack([self._words.transform(lemmas), self._chars.transform(folded)]).tocsr()

    def fit(self, texts: Sequence[str], labels: Sequence[str], vectors: np.ndarray) -> TopicClassifier:
        self._dense.fit(vectors, labels)
        self._lexical.fit(self._lexical_features(texts, fit=True), labels)
        self.classes = [str(c) for c in self._dense.classes_]
        return self

    def predict_proba(self, texts: Sequence[str], vectors: np.ndarray) -> np.ndarray:
        """Rows of topic probabilities, columns in ``self.classes`` order."""
        dense = probabilities(self._dense, vectors)
        lexical = probabilities(self._lexical, self._lexical_features(texts))
        return np.asarray(DENSE_WEIGHT * dense + (1 - DENSE_WEIGHT) * lexical)

    def state(self) -> dict[str, Any]:
        """What ``from_state`` needs; the lemmatiser's learned forms included."""
        return {"dense": self._dense, "lexical": self._lexical, "words": self._words, "chars": self._chars,
                "classes": self.classes, "lemma_forms": self.lemmatizer.forms}

    @classmethod
    def from_state(cls, state: dict[str, Any], morfeusz: Any = None) -> TopicClassifier:
        model = cls(Lemmatizer(forms=state["lemma_forms"], morfeusz=morfeusz))
        model._dense, model._lexical = state["dense"], state["lexical"]
        model._words, model._chars, model.classes = state["words"], state["chars"], state["classes"]
        return model

    def ranked(self, text: str, vector: np.ndarray, k: int = 3) -> list[tuple[str, float]]:
        probs = self.predict_proba([text], vector[None, :])[0]
        order = np.argsort(-probs)[:k]
        return [(self.classes[i], float(probs[i])) for i in order]
