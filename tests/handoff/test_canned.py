"""Canned answers as plain functions: checks naming the field, the variant fallbacks, and the
customer's name filled in (the Polish vocative from Morfeusz) or taken out cleanly."""

from __future__ import annotations

from typing import Any

import pytest

from handoff.canned import MAX_TITLE_CHARS, Canned, parse
from handoff.canned_fill import address, fill, personalised, pick_variant
from handoff.models import MAX_TEXT_CHARS

GOOD = {"shortcut": "/zwrot", "title": "Zwrot", "topic": "return_howto",
        "text": {"pl_ty": "Cześć {imie}, zwrot jest darmowy.", "en": "Hi {name}, returns are free."}}


def test_a_good_answer_is_parsed_without_its_slash_and_kept_as_typed() -> None:
    html = {**GOOD, "text": {"pl_ty": "<img src=x onerror=alert(1)> {imie}"}}
    canned = parse(html, {"return_howto"})
    assert canned == Canned("zwrot", "Zwrot", {"pl_ty": "<img src=x onerror=alert(1)> {imie}"}, "return_howto")


@pytest.mark.parametrize(("change", "field"), [
    ({"shortcut": "Zwrot"}, "shortcut"), ({"shortcut": "zw rot"}, "shortcut"), ({"shortcut": None}, "shortcut"),
    ({"title": ""}, "title"), ({"title": "x" * (MAX_TITLE_CHARS + 1)}, "title"),
    ({"topic": "no_such_topic"}, "topic"), ({"text": {}}, "text"), ({"text": {"de": "Hallo"}}, "text.de"),
    ({"text": {"en": "x" * (MAX_TEXT_CHARS + 1)}}, "text.en"), ({"text": {"en": "  "}}, "text.en"),
    ({"colour": "red"}, "colour"),
])
def test_a_bad_field_is_named(change: dict[str, Any], field: str) -> None:
    with pytest.raises(ValueError, match=rf"^{field}\b"):
        parse({**GOOD, **change}, {"return_howto"})


@pytest.mark.parametrize(("texts", "lang", "register", "expected"), [
    ({"pl_ty": "a", "pl_pan": "b", "en": "c"}, "pl", "pan", "pl_pan"),
    ({"pl_ty": "a", "en": "c"}, "pl", "pan", "pl_ty"),
    ({"pl_pan": "b", "en": "c"}, "pl", "ty", "pl_pan"),
    ({"en": "c"}, "pl", "ty", "en"),
    ({"pl_ty": "a", "pl_pan": "b"}, "en", "pan", "pl_pan"),
    ({"pl_ty": "a", "en": "c"}, "en", "pan", "en"),
])
def test_a_missing_variant_falls_back(texts: dict[str, str], lang: str, register: str, expected: str) -> None:
    assert pick_variant(texts, lang, register) == expected


@pytest.mark.parametrize(("name", "lang", "register", "expected"), [
    ("Marek Nowak", "pl", "ty", "Marku"), ("Zofia Kowalska", "pl", "ty", "Zofio"), ("Kuba", "pl", "ty", "Kubo"),
    ("Zofia", "pl", "pan", "Pani Zofio"), ("Marek", "pl", "pan", "Panie Marku"), ("", "pl", "ty", ""),
    ("Xqzw", "pl", "ty", ""), ("zofia", "en", "ty", "Zofia"), ("", "en", "ty", ""),
])
def test_the_customer_is_named_in_the_vocative(name: str, lang: str, register: str, expected: str) -> None:
    assert address(name, lang, register) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Cześć {imie}, zwrot jest darmowy.", "Cześć, zwrot jest darmowy."),
    ("Dziękujemy, {imie}!", "Dziękujemy!"),
    ("{name}, thanks for waiting.", "Thanks for waiting."),
    ("Hi {name}!\n{name}, one more thing.", "Hi!\nOne more thing."),
    ("Keep {this} as typed, {imie}.", "Keep {this} as typed."),
])
def test_without_a_name_the_placeholder_goes_cleanly(text: str, expected: str) -> None:
    assert fill(text, "") == expected


def test_with_a_name_every_placeholder_is_filled_and_nothing_else_formatted() -> None:
    assert fill("Cześć {imie}, {name}? {0} {x}", "Zofio") == "Cześć Zofio, Zofio? {0} {x}"


def test_personalised_gives_the_ticket_its_variant() -> None:
    answers = [Canned("zwrot", "Zwrot", {"pl_ty": "Cześć {imie},", "en": "Hi {name},"}, "return_howto")]
    assert personalised(answers, "Zofio", "pl", "ty") == [
        {"shortcut": "zwrot", "title": "Zwrot", "topic": "return_howto", "variant": "pl_ty", "text": "Cześć Zofio,"}]
