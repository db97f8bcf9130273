"""The steps in their fixed order, most specific first, around Volta's own data kept aside.

E-mail, account, card, PESEL, phone, address, name: a long number is judged as a whole before
a shorter pattern could take a piece of it. The name step runs on moderator turns (the customer's
name, ``faq_corpus/archive/FORMAT.md``, "Personal data") and on customer turns (the names customers
give about themselves, ``self_names``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from bot.learning.redact.addresses import redact_addresses
from bot.learning.redact.brand import _KEEP_CLOSE, _KEEP_OPEN, _protect, _restore
from bot.learning.redact.contacts import redact_emails, redact_phones
from bot.learning.redact.identifiers import redact_accounts, redact_cards, redact_pesel
from bot.learning.redact.names import redact_names
from bot.learning.redact.self_names import redact_self_names

MODERATOR = "moderator"
CUSTOMER = "customer"  # names customers give about themselves: their turns only

Step = Callable[[str, Counter[str], str, str], str]


def redact_with_counts(text: str, customer_name: str = "", role: str = "customer") -> tuple[str, Counter[str]]:
    """The redacted text and how many of each placeholder kind were put in."""
    counts: Counter[str] = Counter()
    # The markers are private-use characters; any already in the text would confuse _restore.
    work, kept = _protect(text.replace(_KEEP_OPEN, "").replace(_KEEP_CLOSE, ""))
    for step in (redact_emails, redact_accounts, redact_cards, redact_pesel, redact_phones, redact_addresses):
        work = step(work, counts)
    if role == MODERATOR:
        work = redact_names(work, counts, customer_name)
    elif role == CUSTOMER:
        work = redact_self_names(work, counts)
    return _restore(work, kept), counts


def redact(text: str, customer_name: str = "", role: str = "customer") -> str:
    """``text`` with personal data replaced by placeholders (see the package docstring)."""
    return redact_with_counts(text, customer_name, role)[0]
