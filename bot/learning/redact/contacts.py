"""E-mail addresses (also written out as "jan [at] wp.pl") and phone numbers, Polish or foreign."""

from __future__ import annotations

import re
from collections import Counter

from bot.learning.redact.identifiers import digits_of
from bot.learning.redact.kinds import EMAIL, PHONE, _replace

# --- e-mail ---------------------------------------------------------------------------------
EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b")
# "jan [at] wp.pl", "jan(at)wp(dot)pl", "jan małpa wp.pl": only with a dotted domain after it.
_AT = r"(?:\s*[\[(]\s*(?:at|małpa|malpa)\s*[\])]\s*|\s+(?:małpa|malpa)\s+)"
_DOT = r"(?:\.|\s*[\[(]\s*(?:dot|kropka)\s*[\])]\s*|\s+(?:dot|kropka)\s+)"
OBFUSCATED_EMAIL_RE = re.compile(
    rf"(?<![\w.+-])[\w.+-]+(?:{_DOT}[\w+-]+)*{_AT}[\w-]+(?:{_DOT}[\w-]+)*{_DOT}[A-Za-z]{{2,}}\b", re.IGNORECASE
)

# --- phones ---------------------------------------------------------------------------------
_SEP = r"[ .-]?"
_NOT_AFTER = r"(?<![\w+/-])(?<!\d[.,])"
_NOT_BEFORE = r"(?![\w-]|[.,]\d|\s?(?:zł|zl|pln|eur|usd|gbp|€|\$|£|%)(?!\w))"
_PL_PREFIX = r"(?:\(?(?:\+|00)\s?48\)?[ -]?|48(?=\d{9}(?!\d)))"
_PL_NUMBER = (r"(?:\d{3}" + _SEP + r"\d{3}" + _SEP + r"\d{3}"      # 601 234 567, 601-234-567, 601234567
              r"|\(?0?\d{2}\)?[ -]?\d{3}[ -]?\d{2}[ -]?\d{2}"     # (22) 123 45 67, 22-123-45-67
              r"|\d{3}[ -]\d{2}[ -]\d{2}[ -]\d{2})")               # 601 23 45 67
# A national number starts with 1-9 ("0" only as the old trunk prefix of an area code: "(022)").
PL_PHONE_RE = re.compile(_NOT_AFTER + _PL_PREFIX + r"?(?=\(?[1-9]|\(?0[1-9]\d[ )-])" + _PL_NUMBER + _NOT_BEFORE,
                         re.IGNORECASE)
INTL_PHONE_RE = re.compile(_NOT_AFTER + r"(?:\+|00)(?!48)[1-9]\d{0,2}(?:[ .-]?\(?\d{1,5}\)?){1,6}" + _NOT_BEFORE,
                           re.IGNORECASE)
INTL_MIN_DIGITS, INTL_MAX_DIGITS = 8, 15


def redact_emails(text: str, counts: Counter[str]) -> str:
    text = _replace(EMAIL_RE, text, EMAIL, counts)
    return _replace(OBFUSCATED_EMAIL_RE, text, EMAIL, counts)


def redact_phones(text: str, counts: Counter[str]) -> str:
    # Other countries first: "+420 601 123 456" is one number, not "+420" and a Polish mobile.
    text = _replace(INTL_PHONE_RE, text, PHONE, counts,
                    lambda m: INTL_MIN_DIGITS <= len(digits_of(m.group(0))) <= INTL_MAX_DIGITS)
    return _replace(PL_PHONE_RE, text, PHONE, counts)
