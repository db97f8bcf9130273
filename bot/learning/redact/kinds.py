"""The placeholder kinds and the one way every step puts a placeholder in.

Placeholders hold no digits or capitalised words, so no step can take a piece of one: that
keeps ``redact(redact(x)) == redact(x)``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

EMAIL, PHONE, PESEL, CARD, IBAN, ADDRESS, NAME = "EMAIL", "PHONE", "PESEL", "CARD", "IBAN", "ADDRESS", "NAME"
KINDS = (EMAIL, PHONE, PESEL, CARD, IBAN, ADDRESS, NAME)


def _replace(pattern: re.Pattern[str], text: str, kind: str, counts: Counter[str],
             accept: Callable[[re.Match[str]], bool] = lambda m: True, group: int = 0) -> str:
    """Replace ``group`` of each accepted match by the placeholder of ``kind``, counting them."""
    def sub(m: re.Match[str]) -> str:
        if not accept(m):
            return m.group(0)
        counts[kind] += 1
        start, end = m.start(group) - m.start(0), m.end(group) - m.start(0)
        whole = m.group(0)
        return whole[:start] + f"[{kind}]" + whole[end:]
    return pattern.sub(sub, text)
