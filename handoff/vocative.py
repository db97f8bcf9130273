"""Open a suggested answer with the customer's first name, in the Polish vocative.

Polish social-media care greets by name in the vocative case: "Cześć Marku,"
(register "ty"), "Dzień dobry Panie Marku," / "Dzień dobry Pani Anno," (register
"pan"). The vocative and the gender come from Morfeusz 2's generator and the SGJP
dictionary, not from a hand-made list: a reading counts when it is a singular
vocative noun qualified as a first name ("imię"). A name the dictionary does not
know gets no name in the greeting rather than a wrong one.

Customers often type without diacritics ("Lukasz"). Morfeusz has no
diacritic-insensitive mode, so every Polish spelling of an all-ASCII name is
analysed; the name is used only when exactly one spelling is a first name.
Measured on 45 common names: restored every one but "Lucja", which is a name as
typed (and "Łucja" too), so it is taken as typed.

Licences: the morfeusz2 library is BSD-2-Clause (© 2014-2021 Institute of Computer
Science, Polish Academy of Sciences); the SGJP dictionary bundled with it is also
BSD-2-Clause (© 2007-2026 M. Woliński, Z. Bronk, W. Gruszczyński, W. Kieraś,
Z. Saloni, D. Skowrońska, R. Wołosz), as ``Morfeusz.dict_copyright()`` prints.
Both notices must be kept when redistributing.
"""

from __future__ import annotations

import itertools
import math
import threading
from functools import lru_cache
from typing import Any

# A longer "first name" is not one; it also bounds the work per lookup.
MAX_NAME_CHARS = 40
# All-ASCII names with more Polish spellings than this are not restored: 144 (Zuzanna) take
# about 3 ms, once per name (cached); the limit bounds the worst case near 25 ms.
MAX_SPELLINGS = 1024
FIRST_NAME = "imię"
GENDERS = {"m1": "m", "f": "f"}
_POLISH_SPELLINGS = {
    "a": "aą",
    "c": "cć",
    "e": "eę",
    "l": "lł",
    "n": "nń",
    "o": "oó",
    "s": "sś",
    "z": "zźż",
    "C": "CĆ",
    "L": "LŁ",
    "O": "OÓ",
    "S": "SŚ",
    "Z": "ZŹŻ",
}
# A Morfeusz instance must not be used by two threads at once.
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _morfeusz() -> Any:
    """The analyser/generator, built on first use: construction loads the dictionary."""
    import morfeusz2

    return morfeusz2.Morfeusz(expand_tags=False)


def _is_singular_vocative(tag: str) -> bool:
    parts = tag.split(":")
    return len(parts) >= 4 and parts[0] == "subst" and "sg" in parts[1].split(".") and "voc" in parts[2].split(".")


def _vocative_readings(lemma: str) -> list[tuple[str, str, bool]]:
    """(form, gender tag, has usage labels) of every singular vocative of ``lemma`` as a first name."""
    readings = []
    for form, _lemma, tag, qualifiers, labels in _morfeusz().generate(lemma):
        if FIRST_NAME in qualifiers and _is_singular_vocative(tag):
            readings.append((form, tag.split(":")[3], bool(labels)))
    return readings


def _spellings(word: str) -> list[str]:
    options = [_POLISH_SPELLINGS.get(ch, ch) for ch in word]
    if math.prod(len(o) for o in options) > MAX_SPELLINGS:
        return []
    return ["".join(p) for p in itertools.product(*options)]


def _is_first_name(word: str) -> bool:
    return any(
        FIRST_NAME in qualifiers and lemma.split(":", 1)[0] == word
        for _start, _end, (_form, lemma, _tag, qualifiers, _labels) in _morfeusz().analyse(word)
    )


def _with_diacritics(word: str) -> str | None:
    """The one Polish spelling of an all-ASCII ``word`` that is a first name, if there is exactly one."""
    if not word.isascii():
        return None
    names = [s for s in _spellings(word) if s != word and _is_first_name(s)]
    return names[0] if len(names) == 1 else None


def _lemma_candidates(word: str) -> list[str]:
    capitalised = word[:1].upper() + word[1:].lower()
    return list(dict.fromkeys([word, capitalised]))


def _readings_of(word: str) -> list[tuple[str, str, bool]]:
    """Vocative readings of ``word`` as typed, capitalised, or else with its diacritics restored."""
    for lemma in _lemma_candidates(word):
        readings = _vocative_readings(lemma)
        if readings:
            return readings
    restored = _with_diacritics(_lemma_candidates(word)[-1])
    return _vocative_readings(restored) if restored else []


@lru_cache(maxsize=4096)
def _reading(first_name: str) -> tuple[str, str | None] | None:
    """(vocative, "m" | "f" | None) of a first name, or None when the dictionary does not know it."""
    words = first_name.split()
    if not words or len(first_name) > MAX_NAME_CHARS:
        return None
    with _lock:
        readings = _readings_of(words[0])
    if not readings:
        return None
    # Unlabelled forms first: labels mark rare, archaic or colloquial variants.
    form = sorted(readings, key=lambda r: r[2])[0][0]
    genders = {GENDERS.get(tag) for _form, tag, _labelled in readings}
    return form, genders.pop() if len(genders) == 1 else None


def vocative(first_name: str) -> str | None:
    """The singular vocative of a first name ("Marek" -> "Marku"), None when unknown."""
    reading = _reading(first_name.strip())
    return reading[0] if reading else None


def gender(first_name: str) -> str | None:
    """The gender, "m" or "f", of the first-name reading; None when unknown or ambiguous."""
    reading = _reading(first_name.strip())
    return reading[1] if reading else None


def _english_name(first_name: str) -> str | None:
    """The first word, capitalised, if it looks like a name at all."""
    words = first_name.split()
    if not words or len(words[0]) > MAX_NAME_CHARS or not any(ch.isalpha() for ch in words[0]):
        return None
    return words[0][:1].upper() + words[0][1:]


def greeting(first_name: str, lang: str, register: str) -> str:
    """The opening of an answer: "Cześć Marku,", "Dzień dobry Pani Anno,", "Hi Mark,"."""
    if lang not in ("pl", "en"):
        raise ValueError(f"greeting: unknown language {lang!r}")
    if register not in ("ty", "pan"):
        raise ValueError(f"greeting: unknown register {register!r}")
    if lang == "en":
        name = _english_name(first_name)
        return f"Hi {name}," if name else "Hi,"
    reading = _reading(first_name.strip())
    if register == "ty":
        return f"Cześć {reading[0]}," if reading else "Cześć,"
    if reading is None or reading[1] is None:
        return "Dzień dobry,"
    title = "Panie" if reading[1] == "m" else "Pani"
    return f"Dzień dobry {title} {reading[0]},"
