"""A moderator's answer without the greeting, the self-introduction and the signature.

What is left is what an FAQ entry would say; the patterns cover how the demo's moderators open
and sign their replies in Polish and English.
"""

from __future__ import annotations

import re

from bot.core.text import fold_diacritics

GUEST_NAMES = frozenset({"gosc", "guest"})

_GREETING = re.compile(
    r"^(?:(?:dzie[nń] dobry|cze[sś][cć]|hej|hejka|witaj(?:cie)?|witam|hi|hello|hey|dear"
    r"|good (?:morning|afternoon|evening))"
    r"(?:\s+(?:pani|panie|pan|mr|mrs|ms)\.?)?(?:\s+[^\W\d_]+)?|[^\W\d_]+,\s*(?:cze[sś][cć]|hej|hi|hello))"
    r"\s*[,!.:–—-]*\s*",
    re.IGNORECASE,
)
_INTRO = re.compile(
    r"^(?:(?:tu|pisze|z tej strony|this is|it'?s)\s+[^\W\d_]+(?:\s+(?:z|from)\s+(?:obs[lł]ugi\s+)?volt\w*)?"
    r"|[^\W\d_]+\s+(?:z tej strony|(?:from volta\s+)?here|z volty|z obs[lł]ugi volty))"
    r"(?:\s*[–—-]\s*(?:imienni\w+))?\s*(?:[,.!:–—-]+|\s*\U0001F642)*\s*",
    re.IGNORECASE,
)
_COURTESY = re.compile(
    r"^(?:sorry (?:for the wait|for the delay|za czekanie)|przepraszam(?:,)? (?:za (?:czekanie|d[lł]ugie czekanie)|"
    r"[zż]e (?:tyle )?(?:to trwa[lł]o|musia[lł](?:e[sś]|a[sś])? (?:chwil[eę] )?(?:po)?czeka[cć]"
    r"|czeka[lł](?:e[sś]|a[sś]))))"
    r"\s*[,.!:–—-]*\s*",
    re.IGNORECASE,
)
_ADDRESS = re.compile(r"^([^\W\d_]+)\s*[,!]\s*")
_SIGNATURE = re.compile(
    r"(?:\s*(?:\n|^)\s*|\s+)(?:[–—-]+\s*|(?:pozdrawiam|pozdrowienia|serdecznie pozdrawiam|regards|best regards|"
    r"kind regards|best wishes|cheers|best)[,!.]?\s+)[^\W\d_]+\.?\s*$",
    re.IGNORECASE,
)


def first_name(display_name: str) -> str:
    """"Marek K." -> "Marek"; the web widget's "Gość"/"Guest" -> ""."""
    name = display_name.split()[0] if display_name.strip() else ""
    return "" if fold_diacritics(name).lower() in GUEST_NAMES else name


def _strip_address(text: str, customer_first_name: str) -> str:
    """Drop a greeting, or an opening that addresses the customer by name ("Marku, ...")."""
    opened = _GREETING.sub("", text, count=1)
    address = _ADDRESS.match(text)
    if opened == text and customer_first_name and address and _same_name(address.group(1), customer_first_name):
        return text[address.end():]
    return opened


def _strip_opening(text: str, customer_first_name: str) -> str:
    """Drop the greeting and, only after one, the self-introduction and "sorry for the wait"."""
    opened = _strip_address(text, customer_first_name)
    if opened == text:
        return text
    while True:
        before = opened
        for pattern in (_INTRO, _COURTESY):
            opened = pattern.sub("", opened, count=1)
        if opened == before:
            return opened


def _same_name(word: str, name: str) -> bool:
    """"Marku" addresses "Marek": the vocative keeps the first three letters."""
    return fold_diacritics(word).lower()[:3] == fold_diacritics(name).lower()[:3]


def clean_answer(text: str, customer_first_name: str = "") -> str:
    """The moderator's answer without the greeting, the self-introduction and the signature."""
    text = _SIGNATURE.sub("", text.strip())
    text = " ".join(text.split())
    text = _strip_opening(text, customer_first_name)
    return text[:1].upper() + text[1:]
