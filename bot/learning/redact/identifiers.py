"""Number-like identifiers: bank accounts (IBAN, Polish NRB), payment cards and PESEL numbers.

A number is only taken when it looks like the kind: accounts and IBANs pass the mod-97 check,
cards the Luhn check, PESEL its checksum and a real birth date – unless the text labels it
("PESEL:", "nr konta"). Accounts run before cards and cards before PESEL (see ``pipeline``), so
that a long number is judged as a whole before a shorter pattern could take a piece of it.
"""

from __future__ import annotations

import re
from collections import Counter

from bot.learning.redact.kinds import CARD, IBAN, PESEL, _replace

# --- bank accounts --------------------------------------------------------------------------
IBAN_RE = re.compile(r"(?<![\w])([A-Za-z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?)(?![\w])")
NRB_RE = re.compile(r"(?<![\w/-])\d{2}(?:[ -]?\d{4}){6}(?![\w-])")
ACCOUNT_LABEL_RE = re.compile(
    r"(?i:\b(?:nr|numer|numerze|numeru)\s+(?:konta|rachunku)|\bkonto|\brachunek|\bIBAN|\baccount(?:\s+number)?)"
    r"(\s*:?\s*)((?:PL\s?)?\d{2}(?:[ -]?\d{4}){6})(?![\w-])"
)
IBAN_MIN_CHARS = 15
IBAN_MAX_CHARS = 34
POLAND_CODE = "2521"  # "PL" as digits for the mod-97 check (P=25, L=21)

# --- cards ----------------------------------------------------------------------------------
CARD_RE = re.compile(
    r"(?<![\w/-])(?:\d{13,19}|\d{4}(?:[ -]\d{4}){2}(?:[ -]\d{4})?(?:[ -]\d{1,3})?|\d{4}[ -]\d{6}[ -]\d{4,5})(?![\w-])"
)
CARD_MIN_DIGITS, CARD_MAX_DIGITS = 13, 19
CARD_FIRST_DIGITS = "23456"  # Mastercard 2/5, Amex/JCB/Diners 3, Visa 4, Maestro/Discover 6
VISA = "4"  # only old Visa cards have 13 digits; other 13-digit numbers are mostly EAN-13 barcodes

# --- PESEL ----------------------------------------------------------------------------------
PESEL_RE = re.compile(r"(?<![\w/.,-])\d{6}[ ]?\d{5}(?![\w-]|[.,]\d)")
PESEL_LABEL_RE = re.compile(r"(?i:\bPESEL\b)(\s*(?:nr\.?|numer)?\s*[:=-]?\s*)(\d(?:[ ]?\d){10})(?!\d)")
PESEL_WEIGHTS = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
PESEL_DIGITS = 11
# Month offset of the century in a PESEL: 1800s +80, 1900s +0, 2000s +20, 2100s +40, 2200s +60.
PESEL_CENTURIES = {80: 1800, 0: 1900, 20: 2000, 40: 2100, 60: 2200}


# --- checks ---------------------------------------------------------------------------------
def digits_of(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def iban_valid(candidate: str) -> bool:
    """ISO 13616 mod-97 check of an IBAN with its country code (spaces allowed)."""
    compact = candidate.replace(" ", "").upper()
    if not (IBAN_MIN_CHARS <= len(compact) <= IBAN_MAX_CHARS) or not compact[:2].isalpha():
        return False
    if not compact[2:4].isdigit() or not compact[4:].isalnum():
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def nrb_valid(candidate: str) -> bool:
    """A Polish 26-digit account number: mod-97 as the IBAN with "PL" in front."""
    digits = digits_of(candidate)
    return len(digits) == 26 and int(digits[2:] + POLAND_CODE + digits[:2]) % 97 == 1


def luhn_valid(candidate: str) -> bool:
    digits = digits_of(candidate)
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return bool(digits) and total % 10 == 0


def card_like(candidate: str) -> bool:
    digits = digits_of(candidate)
    if len(digits) == CARD_MIN_DIGITS and digits[0] != VISA:
        return False
    return (CARD_MIN_DIGITS <= len(digits) <= CARD_MAX_DIGITS and digits[0] in CARD_FIRST_DIGITS
            and luhn_valid(digits))


def pesel_valid(candidate: str) -> bool:
    """Checksum and a real birth date (the month carries the century)."""
    digits = digits_of(candidate)
    if len(digits) != PESEL_DIGITS:
        return False
    check = (10 - sum(int(d) * w for d, w in zip(digits, PESEL_WEIGHTS, strict=False)) % 10) % 10
    if check != int(digits[10]):
        return False
    month, day = int(digits[2:4]), int(digits[4:6])
    offset = month - (month - 1) % 20 - 1 if month else -1
    if offset not in PESEL_CENTURIES:
        return False
    year = PESEL_CENTURIES[offset] + int(digits[:2])
    month -= offset
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = (31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[month - 1]
    return 1 <= day <= days


# --- steps ----------------------------------------------------------------------------------
def _valid_iban_prefix(candidate: str) -> str | None:
    """The longest leading run of space-separated groups that is a valid IBAN."""
    groups = candidate.split(" ")
    for n in range(len(groups), 0, -1):
        prefix = " ".join(groups[:n])
        if iban_valid(prefix):
            return prefix
    return None


def redact_accounts(text: str, counts: Counter[str]) -> str:
    text = _replace(ACCOUNT_LABEL_RE, text, IBAN, counts, group=2)

    def iban(m: re.Match[str]) -> str:
        prefix = _valid_iban_prefix(m.group(1))
        if prefix is None:
            return m.group(0)
        counts[IBAN] += 1
        return "[IBAN]" + m.group(1)[len(prefix):]

    text = IBAN_RE.sub(iban, text)
    return _replace(NRB_RE, text, IBAN, counts, lambda m: nrb_valid(m.group(0)))


def redact_cards(text: str, counts: Counter[str]) -> str:
    return _replace(CARD_RE, text, CARD, counts, lambda m: card_like(m.group(0)))


def redact_pesel(text: str, counts: Counter[str]) -> str:
    text = _replace(PESEL_LABEL_RE, text, PESEL, counts, group=2)
    return _replace(PESEL_RE, text, PESEL, counts, lambda m: pesel_valid(m.group(0)))
