"""The forms of a customer's name a moderator may write: every case, both genders, no diacritics.

Surnames come with their inflected forms from Morfeusz 2's generator, plus simple endings for
surnames it does not know. A name of more words ("Anna Maria Nowak", "Jan van Dijk") is taken
word by word: every word after the first name, except particles such as "van" that only count
next to the surname.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from bot.learning.redact.dictionary import FIRST_NAME, MARRIED_SURNAME, SURNAME, _generated

MARRIED_ENDING = "owa"
# Particles of a surname ("Jan van Dijk") name no one on their own: they are matched only next to it.
PARTICLES = frozenset({"van", "von", "de", "der", "den", "del", "della", "di", "da", "du", "des", "la", "le",
                       "ten", "ter", "zu", "dos", "das", "y", "al", "el", "bin", "ibn"})
_EDGE_PUNCTUATION = re.compile(r"^\W+|\W+$")
# Endings for a surname the dictionary does not know (stem + ending), by its last letter.
CONSONANT_ENDINGS = ("a", "owi", "em", "iem", "u", "ie", "owie", "ów", "owa", "owej", "ową")
A_ENDINGS = ("y", "i", "ie", "ę", "ą", "o")
O_ENDINGS = ("i", "y", "ce", "ę", "ą", "a", "owi", "iem", "em")


def ascii_fold(word: str) -> str:
    folded = unicodedata.normalize("NFKD", word.replace("ł", "l").replace("Ł", "L"))
    return "".join(ch for ch in folded if not unicodedata.combining(ch))


def _guessed_forms(surname: str) -> set[str]:
    """Likely case forms of a surname the dictionary does not know."""
    last = surname[-1:].lower()
    if last == "a":
        return {surname[:-1] + e for e in A_ENDINGS}
    if last == "o":
        return {surname[:-1] + e for e in O_ENDINGS}
    if last.isalpha() and last not in "eiuyąęó":
        return {surname + e for e in CONSONANT_ENDINGS}
    return set()


def _gender_pair(surname: str) -> list[str]:
    """Kowalski and Kowalska name the same family; a moderator may use either."""
    for male, female in (("ski", "ska"), ("cki", "cka"), ("dzki", "dzka")):
        if surname.endswith(male):
            return [surname, surname[: -len(male)] + female]
        if surname.endswith(female):
            return [surname, surname[: -len(female)] + male]
    return [surname]


def _has_letter(word: str) -> bool:
    return any(ch.isalpha() for ch in word)


def surname_words(surname: str) -> list[str]:
    """The words of a surname that name the person: "Van Dijk" -> ["Dijk"], "Maria Nowak" -> both."""
    words = (_EDGE_PUNCTUATION.sub("", w) for w in surname.split())  # "(Nowak)," -> "Nowak"
    return [w for w in words if w.lower() not in PARTICLES and _has_letter(w)]


@lru_cache(maxsize=1024)
def surname_forms(surname: str) -> frozenset[str]:
    """Each word of the surname in every case (both genders for -ski/-ska, the wife's Nowakowa),
    with and without diacritics; particles and words without letters are left out."""
    forms: set[str] = set()
    for word in surname_words(surname):
        for part in [p for p in [word, *word.split("-")] if _has_letter(p)] if "-" in word else [word]:
            for lemma in _gender_pair(part):
                generated = _generated(lemma, SURNAME)
                generated |= _generated(lemma + MARRIED_ENDING, MARRIED_SURNAME) if generated else set()
                forms |= {lemma} | (generated or _guessed_forms(lemma))
    return frozenset(forms | {ascii_fold(f) for f in forms})


@lru_cache(maxsize=1024)
def first_name_forms(first_name: str) -> frozenset[str]:
    forms = {first_name} | _generated(first_name, FIRST_NAME)
    return frozenset(forms | {ascii_fold(f) for f in forms})
