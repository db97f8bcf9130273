"""Text normalisation shared by language detection and lexical matching."""

from __future__ import annotations

import re
import unicodedata

# "ł" has no combining form in Unicode, so NFKD alone leaves it in place.
_EXTRA_FOLDS = str.maketrans({"ł": "l", "Ł": "L"})
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def fold_diacritics(text: str) -> str:
    """Remove diacritics: "Zwrócić łóżko" -> "Zwrocic lozko"."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_EXTRA_FOLDS))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """Lower-cased word tokens with diacritics folded."""
    return _WORD.findall(fold_diacritics(text).lower())


def sanitize(text: str) -> str:
    """Text safe for every model: lone surrogates replaced, control characters dropped."""
    text = text.encode("utf-8", "replace").decode("utf-8")
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")


def as_str(value: object) -> str:
    """A Redis reply as text, whether the client decodes responses or not."""
    return value.decode() if isinstance(value, bytes) else str(value)
