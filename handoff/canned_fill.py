"""A canned answer made ready for one ticket: the variant in its language and the brand's
register, with the customer's name in place of ``{imie}`` / ``{name}``.

Which variant (the first one the answer has):
- Polish, register "ty":  pl_ty, pl_pan, en
- Polish, register "pan": pl_pan, pl_ty, en
- English:                en, pl_<register>, the other Polish one
Polish stays Polish when the register's own variant is missing (a register slip reads better
than another language); English is the last resort for a Polish customer.

The name (``address``): for Polish the first name in the vocative ("Marku", "Zofio"), and in the
"pan" register with its title ("Panie Marku", "Pani Zofio"), so one text fits every customer; a
name the dictionary does not know, or whose gender is unclear for "pan", gives no name rather than
a wrong one. For English the first name as written, capitalised. Without a name the placeholder
goes with the comma or space before it ("Cześć {imie}," -> "Cześć,"), and at the start of a line
with the comma after it ("{name}, thanks" -> "Thanks"). Other braces stay as typed: the text is
never run through ``str.format``.
"""

from __future__ import annotations

import re
from typing import Any

from handoff.canned import Canned
from handoff.vocative import MAX_NAME_CHARS, gender, vocative

PLACEHOLDER = r"\{(?:imie|name)\}"
_AT_LINE_START = re.compile(rf"(?m)^([ \t]*){PLACEHOLDER}[ \t]*[,!]?[ \t]*(\S?)")
_AFTER_WORD = re.compile(rf",?[ \t]*{PLACEHOLDER}")
_ANY = re.compile(PLACEHOLDER)


def variant_order(lang: str, register: str) -> tuple[str, ...]:
    if lang == "en":
        other = "pan" if register == "ty" else "ty"
        return ("en", f"pl_{register}", f"pl_{other}")
    if register == "pan":
        return ("pl_pan", "pl_ty", "en")
    return ("pl_ty", "pl_pan", "en")


def pick_variant(texts: dict[str, str], lang: str, register: str) -> str:
    """The variant of ``texts`` a ticket in ``lang`` gets under the brand's ``register``."""
    return next(v for v in variant_order(lang, register) if v in texts)


def address(first_name: str, lang: str, register: str) -> str:
    """How the customer is named in a canned answer ("" for no name). Calls Morfeusz for
    Polish: run it off the event loop."""
    words = first_name.split()
    if not words or len(words[0]) > MAX_NAME_CHARS or not any(ch.isalpha() for ch in words[0]):
        return ""
    if lang == "en":
        return words[0][:1].upper() + words[0][1:]
    form = vocative(words[0])
    if form is None:
        return ""
    if register == "ty":
        return form
    sex = gender(words[0])
    return "" if sex is None else f"{'Panie' if sex == 'm' else 'Pani'} {form}"


def fill(text: str, name: str) -> str:
    """``text`` with every placeholder replaced by ``name``, or taken out cleanly when it is ""."""
    if name:
        return _ANY.sub(lambda _m: name, text)

    def line_start(match: re.Match[str]) -> str:
        return match.group(1) + match.group(2).upper()

    return _AFTER_WORD.sub("", _AT_LINE_START.sub(line_start, text))


def personalised(answers: list[Canned], name: str, lang: str, register: str) -> list[dict[str, Any]]:
    """Every answer as the console inserts it for one ticket (``name`` from ``address``)."""
    out = []
    for canned in answers:
        variant = pick_variant(canned.text, lang, register)
        out.append({"shortcut": canned.shortcut, "title": canned.title, "topic": canned.topic,
                    "variant": variant, "text": fill(canned.text[variant], name)})
    return out
