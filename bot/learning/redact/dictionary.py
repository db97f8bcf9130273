"""Morfeusz 2's analyser and generator (SGJP dictionary, BSD-2-Clause): what a word can be.

The dictionary is loaded on first use, not on import: the handoff service imports this package
and must start without it. The lock serialises the calls: every thread shares the one instance.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

FIRST_NAME, SURNAME = "imię", "nazwisko"
MARRIED_SURNAME = "nazwisko_(odmężowskie)"  # Nowakowa, Nowakowej: the wife's form of Nowak
PLACE = "nazwa_geograficzna"

_lock = threading.Lock()


@lru_cache(maxsize=1)
def _morfeusz() -> Any:
    """The analyser/generator, built on first use: construction loads the dictionary."""
    import morfeusz2

    return morfeusz2.Morfeusz(expand_tags=False)


def _generated(lemma: str, qualifier: str) -> set[str]:
    try:
        with _lock:
            generated = _morfeusz().generate(lemma)
    except RuntimeError:  # "Input contains more than one word": a separator Morfeusz sees and we do not
        return set()
    return {form for form, _lemma, _tag, qualifiers, _labels in generated if qualifier in qualifiers}


@lru_cache(maxsize=4096)
def _is_place(word: str) -> bool:
    with _lock:
        readings = _morfeusz().analyse(word)
    return any(PLACE in qualifiers for _s, _e, (_f, _l, _t, qualifiers, _lab) in readings)


@lru_cache(maxsize=4096)
def _is_first_name_word(word: str) -> bool:
    with _lock:
        readings = _morfeusz().analyse(word)
    return any(FIRST_NAME in qualifiers for _s, _e, (_f, _l, _t, qualifiers, _lab) in readings)


@lru_cache(maxsize=4096)
def _is_surname_word(word: str) -> bool:
    """A surname reading, or a word the dictionary does not know at all."""
    with _lock:
        readings = _morfeusz().analyse(word)
    return any(SURNAME in q or tag == "ign" for _s, _e, (_f, _l, tag, q, _lab) in readings)
