"""Lexical retrieval: BM25 over Polish lemmas, with diacritics folded.

Customers write "zamowienia" as often as "zamówienia"; Morfeusz 2 only knows the
second. So the lemmatiser learns, from the corpus it indexes, every inflected form
of every lemma there (Morfeusz's generator), folded; a query word is looked up
folded first, then analysed as typed, then kept as it is.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from bot.text import fold_diacritics, words

# English has no lemmatiser here; a light suffix strip keeps "orders" ~ "order".
_EN_SUFFIX = re.compile(r"(?:ies|es|s|ed|ing)$")
BM25_K1 = 1.2
BM25_B = 0.75


def _morfeusz() -> Any:
    import morfeusz2

    return morfeusz2.Morfeusz(expand_tags=False)


def _lemma(raw: str) -> str:
    # Morfeusz marks homonyms as "zamek:S1"; the part before the colon is the lemma.
    return fold_diacritics(raw.split(":", 1)[0]).lower()


class Lemmatizer:
    def __init__(
        self, vocabulary_texts: Iterable[str] = (), morfeusz: Any = None, forms: dict[str, str] | None = None
    ) -> None:
        self._morf = morfeusz or _morfeusz()
        self._folded: dict[str, str] = dict(forms or {})
        self.learn(vocabulary_texts)

    @property
    def forms(self) -> dict[str, str]:
        """Folded inflected form -> folded lemma, as learned so far."""
        return dict(self._folded)

    def learn(self, texts: Iterable[str]) -> None:
        """Map every folded form of every lemma found in ``texts`` to that lemma."""
        lemmas: set[str] = set()
        for text in texts:
            for token in re.findall(r"[^\W\d_]+", text.lower()):
                lemmas.update(i[2][1] for i in self._morf.analyse(token) if i[2][2] != "ign")
        for raw in lemmas:
            for form in self._morf.generate(raw):
                self._folded.setdefault(fold_diacritics(form[0]).lower(), _lemma(raw))

    @lru_cache(maxsize=65536)  # noqa: B019 - one lemmatiser per process; words repeat a lot
    def lemma(self, word: str) -> str:
        folded = fold_diacritics(word).lower()
        if folded in self._folded:
            return self._folded[folded]
        analyses = [i[2] for i in self._morf.analyse(word) if i[2][2] != "ign"]
        if analyses:
            return _lemma(analyses[0][1])
        return _EN_SUFFIX.sub("", folded) if len(folded) > 4 else folded

    def tokens(self, text: str) -> list[str]:
        return [self.lemma(w) for w in words(text)]


class BM25:
    """Okapi BM25 over pre-tokenised documents."""

    def __init__(self, documents: Sequence[Sequence[str]]) -> None:
        self._vocab: dict[str, int] = {}
        for doc in documents:
            for term in doc:
                self._vocab.setdefault(term, len(self._vocab))
        self._tf = np.zeros((len(documents), len(self._vocab)), dtype=np.float32)
        for row, doc in enumerate(documents):
            for term, count in Counter(doc).items():
                self._tf[row, self._vocab[term]] = count
        lengths = np.array([len(d) for d in documents], dtype=np.float32)
        self._norm = BM25_K1 * (1 - BM25_B + BM25_B * lengths / max(float(lengths.mean()), 1.0))
        df = (self._tf > 0).sum(axis=0)
        n = len(documents)
        self._idf = np.array([math.log(1 + (n - d + 0.5) / (d + 0.5)) for d in df], dtype=np.float32)

    def scores(self, query: Sequence[str]) -> np.ndarray:
        ids = [self._vocab[t] for t in set(query) if t in self._vocab]
        if not ids:
            return np.zeros(self._tf.shape[0], dtype=np.float32)
        tf = self._tf[:, ids]
        weights = tf * (BM25_K1 + 1) / (tf + self._norm[:, None])
        return np.asarray(weights @ self._idf[ids], dtype=np.float32)
