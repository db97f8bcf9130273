"""Personal data redaction for the chat archive (``faq_corpus/archive/FORMAT.md``, "Personal data").

``redact(text, customer_name, role)`` replaces e-mail addresses, phone numbers, PESEL numbers,
payment cards, bank accounts, postal addresses and – in moderator turns – the customer's name
beyond the first name with the fixed placeholders ``[EMAIL] [PHONE] [PESEL] [CARD] [IBAN]
[ADDRESS] [NAME]``. What identifies a case rather than a person stays as written: order numbers
(``VL-2458130``), complaint and return numbers (``RK-204518``, ``ZW-123456``), Volta's own phone
and ``@volta.example`` addresses, and the store addresses in ``faq_corpus/brand.yml``.

The steps run in a fixed order, most specific first (e-mail, account, card, PESEL, phone,
address, name), so that a long number is judged as a whole before a shorter pattern could
take a piece of it. Numbers are only taken when they look like the kind: accounts and IBANs
pass the mod-97 check, cards the Luhn check, PESEL its checksum and a real birth date – unless
the text labels them ("PESEL:", "nr konta"). The output is a fixed point: placeholders hold no
digits or capitalised words, so ``redact(redact(x)) == redact(x)``.

Surnames come with their inflected forms from Morfeusz 2's generator (SGJP dictionary,
BSD-2-Clause, loaded on first use), plus simple endings for surnames it does not know. A name
of more words ("Anna Maria Nowak", "Jan van Dijk") is taken word by word: every word after the
first name, except particles such as "van" that only count next to the surname.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

EMAIL, PHONE, PESEL, CARD, IBAN, ADDRESS, NAME = "EMAIL", "PHONE", "PESEL", "CARD", "IBAN", "ADDRESS", "NAME"
KINDS = (EMAIL, PHONE, PESEL, CARD, IBAN, ADDRESS, NAME)
MODERATOR = "moderator"
BRAND_FILE = Path(__file__).resolve().parents[2] / "faq_corpus" / "brand.yml"

# Kept tokens are swapped for private-use markers while the steps run, then put back.
_KEEP_OPEN, _KEEP_CLOSE = "\ue000", "\ue001"
_KEEP_MARK = re.compile(f"{_KEEP_OPEN}(\\d+){_KEEP_CLOSE}")
KEPT = re.compile(
    r"\b(?:VL-\d{7}|RK-\d{6}|ZW-\d{6})\b"                          # order, complaint, return numbers
    r"|[\w.+-]+@volta\.example\b"                                    # Volta's own addresses
    r"|(?<![\w+])(?:(?:\+|00)\s?48[ -]?)?\(?22\)?[ -]?100[ -]?20[ -]?30(?!\d)",  # Volta's phone
    re.IGNORECASE,
)

# --- e-mail ---------------------------------------------------------------------------------
EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b")
# "jan [at] wp.pl", "jan(at)wp(dot)pl", "jan małpa wp.pl": only with a dotted domain after it.
_AT = r"(?:\s*[\[(]\s*(?:at|małpa|malpa)\s*[\])]\s*|\s+(?:małpa|malpa)\s+)"
_DOT = r"(?:\.|\s*[\[(]\s*(?:dot|kropka)\s*[\])]\s*|\s+(?:dot|kropka)\s+)"
OBFUSCATED_EMAIL_RE = re.compile(
    rf"(?<![\w.+-])[\w.+-]+(?:{_DOT}[\w+-]+)*{_AT}[\w-]+(?:{_DOT}[\w-]+)*{_DOT}[A-Za-z]{{2,}}\b", re.IGNORECASE
)

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

# --- postal addresses -----------------------------------------------------------------------
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
PLACE = "nazwa_geograficzna"
_STREET_WORDS = {"ul", "ulica", "ulicy", "ulicę", "al", "aleja", "alei", "os", "osiedle", "pl", "plac", "placu"}

# --- names ----------------------------------------------------------------------------------
_HONORIFIC = r"(?:Pan|Pani|Pana|Panu|Panem|Panie|Panią|Państwo|Państwa|Mr|Mrs|Ms|Miss|Mister|Dr|Sir|Madam)\.?"
JOINED_NAMES_RE = re.compile(r"\[NAME\]-\[NAME\]")
HONORIFIC_RE = re.compile(rf"(?<!\w)({_HONORIFIC})(\s+)([{_UP}][\w'’-]+)")
FIRST_NAME, SURNAME = "imię", "nazwisko"
MARRIED_SURNAME = "nazwisko_(odmężowskie)"  # Nowakowa, Nowakowej: the wife's form of Nowak
MARRIED_ENDING = "owa"
# Particles of a surname ("Jan van Dijk") name no one on their own: they are matched only next to it.
PARTICLES = frozenset({"van", "von", "de", "der", "den", "del", "della", "di", "da", "du", "des", "la", "le",
                       "ten", "ter", "zu", "dos", "das", "y", "al", "el", "bin", "ibn"})
_EDGE_PUNCTUATION = re.compile(r"^\W+|\W+$")
NOT_NAMES = {"Volta", "Klub", "Kurier", "Ochrona"}
_INITIAL = re.compile(r"^\w\.?$")
# Endings for a surname the dictionary does not know (stem + ending), by its last letter.
CONSONANT_ENDINGS = ("a", "owi", "em", "iem", "u", "ie", "owie", "ów", "owa", "owej", "ową")
A_ENDINGS = ("y", "i", "ie", "ę", "ą", "o")
O_ENDINGS = ("i", "y", "ce", "ę", "ą", "a", "owi", "iem", "em")

_lock = threading.Lock()
Step = Callable[[str, Counter[str], str, str], str]


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


def redact_emails(text: str, counts: Counter[str]) -> str:
    text = _replace(EMAIL_RE, text, EMAIL, counts)
    return _replace(OBFUSCATED_EMAIL_RE, text, EMAIL, counts)


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


def redact_phones(text: str, counts: Counter[str]) -> str:
    # Other countries first: "+420 601 123 456" is one number, not "+420" and a Polish mobile.
    text = _replace(INTL_PHONE_RE, text, PHONE, counts,
                    lambda m: INTL_MIN_DIGITS <= len(digits_of(m.group(0))) <= INTL_MAX_DIGITS)
    return _replace(PL_PHONE_RE, text, PHONE, counts)


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


# --- names ----------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _morfeusz() -> Any:
    """The analyser/generator, built on first use: construction loads the dictionary."""
    import morfeusz2

    return morfeusz2.Morfeusz(expand_tags=False)


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


def _generated(lemma: str, qualifier: str) -> set[str]:
    try:
        with _lock:
            generated = _morfeusz().generate(lemma)
    except RuntimeError:  # "Input contains more than one word": a separator Morfeusz sees and we do not
        return set()
    return {form for form, _lemma, _tag, qualifiers, _labels in generated if qualifier in qualifiers}


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


# --- the whole ------------------------------------------------------------------------------
def _protect(text: str) -> tuple[str, list[str]]:
    kept: list[str] = []

    def mark(m: re.Match[str]) -> str:
        kept.append(m.group(0))
        return f"{_KEEP_OPEN}{len(kept) - 1}{_KEEP_CLOSE}"

    return KEPT.sub(mark, text), kept


def _restore(text: str, kept: list[str]) -> str:
    return _KEEP_MARK.sub(lambda m: kept[int(m.group(1))], text)


def redact_with_counts(text: str, customer_name: str = "", role: str = "customer") -> tuple[str, Counter[str]]:
    """The redacted text and how many of each placeholder kind were put in."""
    counts: Counter[str] = Counter()
    # The markers are private-use characters; any already in the text would confuse _restore.
    work, kept = _protect(text.replace(_KEEP_OPEN, "").replace(_KEEP_CLOSE, ""))
    for step in (redact_emails, redact_accounts, redact_cards, redact_pesel, redact_phones, redact_addresses):
        work = step(work, counts)
    if role == MODERATOR:
        work = redact_names(work, counts, customer_name)
    return _restore(work, kept), counts


def redact(text: str, customer_name: str = "", role: str = "customer") -> str:
    """``text`` with personal data replaced by placeholders (see the module docstring)."""
    return redact_with_counts(text, customer_name, role)[0]
