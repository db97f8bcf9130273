"""The customer's name in moderator turns: the surname in any form, and any surname after a title.

The first name stays ("Dzień dobry Panie Marku"): ``display_name`` already shows it, and the
greeting is part of how the answer reads.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

from bot.learning.redact.addresses import _UP
from bot.learning.redact.dictionary import _is_first_name_word, _is_surname_word
from bot.learning.redact.kinds import NAME, _replace
from bot.learning.redact.surnames import PARTICLES, first_name_forms, surname_forms

_HONORIFIC = r"(?:Pan|Pani|Pana|Panu|Panem|Panie|Panią|Państwo|Państwa|Mr|Mrs|Ms|Miss|Mister|Dr|Sir|Madam)\.?"
JOINED_NAMES_RE = re.compile(r"\[NAME\]-\[NAME\]")
HONORIFIC_RE = re.compile(rf"(?<!\w)({_HONORIFIC})(\s+)([{_UP}][\w'’-]+)")
NOT_NAMES = {"Volta", "Klub", "Kurier", "Ochrona"}
_INITIAL = re.compile(r"^\w\.?$")


def split_name(customer_name: str) -> tuple[str, str]:
    """("Marek", "Kowalski") from "Marek Kowalski"; the surname is "" for "Marek K." or "Marek"."""
    words = customer_name.split()
    if not words:
        return "", ""
    rest = [w for w in words[1:] if not _INITIAL.match(w)]
    first = words[0][:1].upper() + words[0][1:].lower()
    return first, " ".join(w[:1].upper() + w[1:] for w in rest)


def _alternation(forms: Iterable[str]) -> str:
    return "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))


@lru_cache(maxsize=256)
def _full_name_re(first: str, surname: str) -> re.Pattern[str]:
    sur = _alternation(surname_forms(surname))
    particles = {p for w in surname.split() if w.lower() in PARTICLES for p in (w, w.lower())}
    word = rf"(?:(?:{_alternation(particles)})\s+)*(?:{sur})" if particles else rf"(?:{sur})"
    firsts = _alternation(first_name_forms(first)) if first else ""
    before = rf"(?:(?:{firsts})\s+)?" if first else ""
    after = rf"(?:\s+(?:{firsts}))?" if first else ""
    return re.compile(rf"(?<![\w\[])(?:{before}{word}(?:\s+{word})*{after})(?![\w\]])")


def redact_names(text: str, counts: Counter[str], customer_name: str) -> str:
    first, surname = split_name(customer_name)
    if surname_forms(surname):  # none for "", "Van" or "123": an empty alternation would match everywhere
        text = _replace(_full_name_re(first, surname), text, NAME, counts)
        # A double-barrelled surname in a case the generator does not build: "Nowak-Kowalskiej".
        text, joined = JOINED_NAMES_RE.subn("[NAME]", text)
        counts[NAME] -= joined
    keep = first_name_forms(first) if first else frozenset()

    def honorific(m: re.Match[str]) -> bool:
        word = m.group(3)
        if word in keep or word in NOT_NAMES or _is_first_name_word(word):
            return False
        english = m.group(1).rstrip(".") in {"Mr", "Mrs", "Ms", "Miss", "Mister", "Dr", "Sir", "Madam"}
        return english or _is_surname_word(word)

    return _replace(HONORIFIC_RE, text, NAME, counts, honorific, group=3)
