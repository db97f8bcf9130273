"""Volta's own data, which identifies the shop and not a person, so it stays as written.

Order, complaint and return numbers, Volta's phone and ``@volta.example`` addresses are swapped
for private-use markers before the steps run and put back after (``pipeline``). The store
addresses are in ``BRAND_FILE``; ``addresses`` reads them there.
"""

from __future__ import annotations

import re
from pathlib import Path

BRAND_FILE = Path(__file__).resolve().parents[3] / "faq_corpus" / "brand.yml"

# Kept tokens are swapped for private-use markers while the steps run, then put back.
_KEEP_OPEN, _KEEP_CLOSE = "\ue000", "\ue001"
_KEEP_MARK = re.compile(f"{_KEEP_OPEN}(\\d+){_KEEP_CLOSE}")
KEPT = re.compile(
    r"\b(?:VL-\d{7}|RK-\d{6}|ZW-\d{6})\b"                          # order, complaint, return numbers
    r"|[\w.+-]+@volta\.example\b"                                    # Volta's own addresses
    r"|(?<![\w+])(?:(?:\+|00)\s?48[ -]?)?\(?22\)?[ -]?100[ -]?20[ -]?30(?!\d)",  # Volta's phone
    re.IGNORECASE,
)


def _protect(text: str) -> tuple[str, list[str]]:
    kept: list[str] = []

    def mark(m: re.Match[str]) -> str:
        kept.append(m.group(0))
        return f"{_KEEP_OPEN}{len(kept) - 1}{_KEEP_CLOSE}"

    return KEPT.sub(mark, text), kept


def _restore(text: str, kept: list[str]) -> str:
    return _KEEP_MARK.sub(lambda m: kept[int(m.group(1))], text)
