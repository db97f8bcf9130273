"""Postal addresses, Polish and English, except the store addresses in Volta's ``brand.yml``."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.learning.redact.brand import BRAND_FILE
from bot.learning.redact.dictionary import _is_place
from bot.learning.redact.kinds import ADDRESS, _replace

_UP, _LO = "A-ZĄĆĘŁŃÓŚŹŻ", "a-ząćęłńóśźż"
_WORD = rf"[{_UP}][{_LO}]+(?:-[{_UP}][{_LO}]+)?"
_STREET_TOKEN = rf"(?:{_WORD}|\d{{1,2}}|[IVX]{{1,4}}|[{_UP}{_LO}][{_LO}]{{1,4}}\.)"
_STREET_NAME = rf"{_STREET_TOKEN}(?:\s+{_STREET_TOKEN}){{0,3}}"
_HOUSE = (r"\d{1,4}[a-zA-Z]?(?![\w-])(?:\s?/\s?\d{1,4}[a-zA-Z]?)?"
          r"(?:,?\s*(?:m\.?|lok\.?|lokal|mieszk\.|mieszkania|mieszkanie)\s*\d{1,4}[a-zA-Z]?(?!\w))?")
_TOWN = rf"{_WORD}(?:\s{_WORD}){{0,2}}"
_POSTCODE_TOWN = rf"(?<![\w-])\d{{2}}-\d{{3}}(?![\w-])\s+{_TOWN}"
_STREET_PREFIX = r"(?i:ulica|ulicy|ulicę|aleja|alei|aleje|alejach|osiedle|osiedlu|plac|placu)"
# After an abbreviation the street may be typed in lower case ("ul. długa 5"); "os" and "pl" need their dot.
_STREET_ABBREVIATION = r"(?i:(?:ul|al)(?:\.\s*|\s+)|(?:os|pl)\.\s*)"  # not "albo ...", "OS Android 14"
_LOWER_STREET_NAME = rf"[{_UP}{_LO}][{_LO}]+(?:\s+[{_UP}{_LO}][{_LO}]+){{0,2}}"
PL_ADDRESS_RE = re.compile(
    rf"(?<!\w){_STREET_PREFIX}\s+{_STREET_NAME}\s+{_HOUSE}(?:,?\s+{_POSTCODE_TOWN})?"
    rf"|(?<!\w){_STREET_ABBREVIATION}(?:{_STREET_NAME}|{_LOWER_STREET_NAME})\s+{_HOUSE}(?:,?\s+{_POSTCODE_TOWN})?"
    rf"|(?<![\w.])(?:{_WORD}(?:\s+{_WORD}){{0,2}}\s+{_HOUSE},?\s+)?{_POSTCODE_TOWN}"
)
_EN_SUFFIX = (r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Close|Way|Place|Pl|Court|Ct|Square|Sq|Crescent|"
              r"Terrace|Gardens|Boulevard|Blvd|Hill|Grove|Row|Walk|Mews|Parade)\b\.?")
_UK_POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]?\s\d[ABD-HJLNP-UW-Z]{2}\b"
_US_STATE_ZIP = r"[A-Z]{2}\s\d{5}(?:-\d{4})?\b"
EN_ADDRESS_RE = re.compile(
    r"(?:\b(?:Flat|Apt\.?|Apartment|Unit)\s+\d+[A-Z]?,?\s+)?"
    rf"(?<![\w-])\d{{1,5}}[A-Za-z]?\s+(?:[A-Z][a-z]+\s+){{1,3}}{_EN_SUFFIX}"
    rf"(?:,\s*[A-Z][a-z]+(?:\s[A-Z][a-z]+)?)?(?:,?\s+(?:{_UK_POSTCODE}|{_US_STATE_ZIP}))?"
    rf"|\b[A-Z][a-z]+,?\s+(?!\w+\s\d(?:GB|TB))(?:{_UK_POSTCODE})"
)
# "00-950 warszawa": a lower-case town counts when the dictionary knows it as a place name.
LOWER_TOWN_RE = re.compile(rf"(?<![\w-])\d{{2}}-\d{{3}}(?![\w-])\s+([{_LO}]+)")
_STREET_WORDS = {"ul", "ulica", "ulicy", "ulicę", "al", "aleja", "alei", "os", "osiedle", "pl", "plac", "placu"}


def address_tokens(text: str) -> tuple[str, ...]:
    """Lower-case words and numbers of an address, without the street prefix ("ul.")."""
    return tuple(t for t in re.findall(r"\w+(?:-\w+)?", text.lower()) if t not in _STREET_WORDS)


def _contains(whole: tuple[str, ...], part: tuple[str, ...]) -> bool:
    return any(whole[i:i + len(part)] == part for i in range(len(whole) - len(part) + 1))


def _strings(node: Any) -> Iterable[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


@lru_cache(maxsize=4)
def brand_addresses(path: Path = BRAND_FILE) -> tuple[tuple[str, ...], ...]:
    """Every postal address written in brand.yml (stores, returns, office), as address tokens."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return tuple(address_tokens(m.group(0)) for s in _strings(data) for m in PL_ADDRESS_RE.finditer(s))


def is_brand_address(text: str) -> bool:
    tokens = address_tokens(text)
    return bool(tokens) and any(_contains(brand, tokens) for brand in brand_addresses())


def redact_addresses(text: str, counts: Counter[str]) -> str:
    text = _replace(PL_ADDRESS_RE, text, ADDRESS, counts, lambda m: not is_brand_address(m.group(0)))
    text = _replace(LOWER_TOWN_RE, text, ADDRESS, counts, lambda m: _is_place(m.group(1).capitalize()))
    return _replace(EN_ADDRESS_RE, text, ADDRESS, counts)
