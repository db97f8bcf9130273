"""Names customers give about themselves: "nazywam się Jan Kowalski", "tu Marek", "Pozdrawiam, Anna Nowak".

Two kinds of introduction. After a sure one ("nazywam się", "mam na imię", "my name is") and in a
signature at the end of a message ("Pozdrawiam, …", "Z poważaniem …", "Regards, …", "-- …") a word is
taken when it could be a name: capitalised, or in lower case when Morfeusz knows it capitalised as a
first name or surname, or does not know it at all ("nazywam sie jan kowalski"). After a word that
often means something else ("jestem", "tu", "z tej strony", "I'm", "this is") the word must be a
first name: "jestem Kasia" and "tu Marek" go, "jestem zły", "jestem w domu" and "tu jest problem"
stay; in lower case only when all its readings are nouns ("jestem ola"; "jestem róża" goes too,
the rare price of catching names typed in lower case). English first names
Morfeusz does not know count after "I'm" only capitalised and not one of the words that usually
follow it ("I'm Happy", "I'm Writing"). A surname may follow the first name. A signature after a
dash ("-- Piotr") must be capitalised: a dash ends many ordinary sentences.
The whole name becomes one ``[NAME]``; customer turns only (moderators sign with their own name).
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from bot.learning.redact.dictionary import _is_first_name_word, _is_surname_word, _lock, _morfeusz
from bot.learning.redact.kinds import NAME

MAX_NAME_WORDS = 3  # first name(s) and surname taken after an introduction
_WORD = r"[^\W\d_]+(?:[-'’][^\W\d_]+)?"
_WORDS = rf"(?P<words>{_WORD}(?:[ \t]+{_WORD}){{0,{MAX_NAME_WORDS - 1}}})"
_SURE = (r"nazywam\s+si[ęe]|mam\s+na\s+imi[ęe]|moje\s+imi[ęe]\s+to|na\s+imi[ęe]\s+mam|my\s+name\s+is|"
         r"my\s+name's")
_UNSURE = r"jestem|tu|tutaj|z\s+tej\s+strony|i'?m|i’m|i\s+am|this\s+is"
INTRO_RE = re.compile(rf"(?<![\w'’])(?:(?P<sure>(?i:{_SURE}))|(?P<unsure>(?i:{_UNSURE})))[,:]?[ \t]+{_WORDS}")
_CLOSING = (r"pozdrawiam(?:[ \t]+(?:serdecznie|ciepło|cieplo|gorąco|goraco))?|pozdrowienia|z[ \t]+powa[żz]aniem|"
            r"z[ \t]+wyrazami[ \t]+szacunku|(?:best|kind|warm|warmest)[ \t]+regards|regards|best[ \t]+wishes|"
            r"cheers|sincerely|yours[ \t]+sincerely")
SIGNATURE_RE = re.compile(rf"(?:(?<!\w)(?i:{_CLOSING})[ \t]*[,.!]?\s+|(?P<dash>(?:^|\s)(?:--|—|–)[ \t]*)){_WORDS}"
                          r"[ \t]*[.!]?\s*$")
# Never a name, wherever they stand: joining words, and the words closings and "I'm" often lead to.
STOP = frozenset({
    "i", "a", "oraz", "albo", "lub", "ale", "z", "w", "we", "na", "do", "od", "and", "or", "but", "from", "the",
    "serdecznie", "ciepło", "cieplo", "gorąco", "goraco", "jest", "to", "tak", "nie", "not",
})
ENGLISH_NOT_NAMES = frozenset({
    "happy", "sorry", "very", "so", "just", "here", "still", "sure", "glad", "good", "fine", "afraid", "back",
    "confused", "angry", "unhappy", "disappointed", "frustrated", "annoyed", "really", "also", "done", "ok",
    "okay", "tired", "worried", "new", "curious", "unable", "able", "interested", "not", "in", "at", "on",
    "a", "an", "the", "your", "customer", "calling", "writing", "looking", "waiting", "trying", "asking",
})
_ENGLISH_UNSURE = re.compile(r"(?i:i'?m|i’m|i\s+am)$")  # "this is" needs a name Morfeusz knows
_NOUN_ONLY = {"subst", "depr", "ign"}


@lru_cache(maxsize=4096)
def _classes(word: str) -> frozenset[str]:
    """Morfeusz's parts of speech of ``word`` (``ign``: unknown)."""
    with _lock:
        readings = _morfeusz().analyse(word)
    return frozenset(tag.split(":")[0] for _s, _e, (_f, _l, tag, _q, _lab) in readings)


def _titlecase(word: str) -> bool:
    return word[:1].isupper() and (len(word) == 1 or not word[1:].isupper())


def _known_name(word: str) -> bool:
    """Morfeusz knows ``word`` as a first name or a surname (not merely unknown)."""
    return _is_first_name_word(word) or (_is_surname_word(word) and "ign" not in _classes(word))


def _could_be_name(word: str, signature: bool) -> bool:
    """After a sure introduction (capitalised, or a name or unknown word in lower case) or in a
    signature (a name or an unknown capitalised word; a known name in lower case)."""
    if word.lower() in STOP:
        return False
    cap = word[:1].upper() + word[1:]
    if _titlecase(word):
        return _is_first_name_word(word) or _is_surname_word(word) if signature else True
    if not word.islower():
        return False
    return _known_name(cap) if signature else _known_name(cap) or "ign" in _classes(cap)


def _is_first_name(word: str, english: bool) -> bool:
    """After a word that often means something else."""
    if word.lower() in STOP:
        return False
    if _titlecase(word):
        if _is_first_name_word(word):
            return True
        lower = word.lower()
        return english and lower not in ENGLISH_NOT_NAMES and not lower.endswith(("ing", "ed", "ly"))
    cap = word[:1].upper() + word[1:]
    return word.islower() and _is_first_name_word(cap) and _classes(word) <= _NOUN_ONLY


def _is_more_name(word: str, sure: bool) -> bool:
    """A word after the first name: a surname or another first name."""
    if word.lower() in STOP:
        return False
    if _titlecase(word):
        return _is_surname_word(word) or _is_first_name_word(word)
    cap = word[:1].upper() + word[1:]
    return sure and word.islower() and _known_name(cap)


def _name_length(words: list[str], sure: bool, english: bool, signature: bool = False) -> int:
    """How many of ``words`` make the name: 0 when the first is not one."""
    first_ok = _could_be_name(words[0], signature) if sure else _is_first_name(words[0], english)
    if not first_ok:
        return 0
    taken = 1
    while taken < len(words) and _is_more_name(words[taken], sure):
        taken += 1
    return taken


def _replace_words(text: str, m: re.Match[str], taken: int, counts: Counter[str]) -> str:
    if not taken:
        return m.group(0)
    counts[NAME] += 1
    start, words = m.start("words") - m.start(0), m.group("words")
    spans = [w.span() for w in re.finditer(_WORD, words)]
    end = start + spans[taken - 1][1]
    whole = m.group(0)
    return whole[:start] + f"[{NAME}]" + whole[end:]


def redact_self_names(text: str, counts: Counter[str]) -> str:
    def intro(m: re.Match[str]) -> str:
        sure = m.group("sure") is not None
        english = not sure and _ENGLISH_UNSURE.match(m.group("unsure")) is not None
        words = re.findall(_WORD, m.group("words"))
        return _replace_words(text, m, _name_length(words, sure, english), counts)

    def signature(m: re.Match[str]) -> str:
        words = re.findall(_WORD, m.group("words"))
        if m.group("dash") is not None and not _titlecase(words[0]):
            return m.group(0)  # "szybko – super": a dash ends many sentences; a signed name is capitalised
        taken = _name_length(words, True, False, signature=True)
        return _replace_words(text, m, taken if taken == len(words) else 0, counts)  # the whole last line

    return SIGNATURE_RE.sub(signature, INTRO_RE.sub(intro, text))
