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

Modules: ``kinds`` (placeholders), ``brand`` (Volta's own data), ``contacts`` (e-mails, phones),
``identifiers`` (accounts, cards, PESEL and their checksums), ``addresses``, ``dictionary``
(Morfeusz), ``surnames`` (name forms), ``names``, ``pipeline`` (the steps in order).
"""

from bot.learning.redact.identifiers import iban_valid, luhn_valid, nrb_valid, pesel_valid
from bot.learning.redact.kinds import ADDRESS, CARD, EMAIL, IBAN, KINDS, NAME, PESEL, PHONE
from bot.learning.redact.names import split_name
from bot.learning.redact.pipeline import MODERATOR, redact, redact_with_counts
from bot.learning.redact.surnames import surname_forms

__all__ = [
    "ADDRESS",
    "CARD",
    "EMAIL",
    "IBAN",
    "KINDS",
    "MODERATOR",
    "NAME",
    "PESEL",
    "PHONE",
    "iban_valid",
    "luhn_valid",
    "nrb_valid",
    "pesel_valid",
    "redact",
    "redact_with_counts",
    "split_name",
    "surname_forms",
]
