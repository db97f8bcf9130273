"""Polish lemmas for lexical matching, with diacritics folded.

Customers write "zamowienia" as often as "zamówienia"; Morfeusz 2 only knows the
second. So the lemmatiser learns, from the corpus it indexes, every inflected form
of every lemma there (Morfeusz's generator), folded; a query word is looked up
folded first, then analysed as typed, then kept as it is.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from bot.core.text import fold_diacritics, words

# English has no lemmatiser here; a light suffix strip keeps "orders" ~ "order".
_EN_SUFFIX = re.compile(r"(?:ies|es|s|ed|ing)$")


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
        """Map every folded form of every lemma found in ``texts`` to that lemma.

        A word as the corpus spells it keeps its own lemma ("paczki" -> paczka),
        so generated forms of other lemmas ("pączki" -> pączek) cannot take it.
        """
        lemmas: set[str] = set()
        for text in texts:
            for token in re.findall(r"[^\W\d_]+", text.lower()):
                chosen = self._choose([i[2][1] for i in self._morf.analyse(token) if i[2][2] != "ign"], token)
                if chosen:
                    self._folded.setdefault(fold_diacritics(token), _lemma(chosen))
                    lemmas.add(chosen)
        for raw in sorted(lemmas):
            for form in self._morf.generate(raw):
                self._folded.setdefault(fold_diacritics(form[0]).lower(), _lemma(raw))

    @staticmethod
    def _choose(lemmas: list[str], token: str) -> str | None:
        """The token itself when it is a lemma ("paczka"), else its most frequent reading."""
        if not lemmas:
            return None
        for raw in lemmas:
            if raw.split(":", 1)[0] == token:
                return raw
        counts = Counter(lemmas)
        return min(counts, key=lambda raw: (-counts[raw], raw))

    @lru_cache(maxsize=65536)  # noqa: B019 - one lemmatiser per process; words repeat a lot
    def lemma(self, word: str) -> str:
        folded = fold_diacritics(word).lower()
        if folded in self._folded:
            return self._folded[folded]
        chosen = self._choose([i[2][1] for i in self._morf.analyse(word) if i[2][2] != "ign"], word.lower())
        if chosen:
            return _lemma(chosen)
        return _EN_SUFFIX.sub("", folded) if len(folded) > 4 else folded

    def tokens(self, text: str) -> list[str]:
        return [self.lemma(w) for w in words(text)]
