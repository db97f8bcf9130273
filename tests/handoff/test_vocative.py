import pytest

from handoff.vocative import gender, greeting, vocative

# What Morfeusz 2 with the SGJP dictionary (sgjp-2026.06.01) generates, checked by running it.
MEN = {
    "Marek": "Marku",
    "Piotr": "Piotrze",
    "Tomasz": "Tomaszu",
    "Paweł": "Pawle",
    "Michał": "Michale",
    "Jan": "Janie",
    "Krzysztof": "Krzysztofie",
    "Łukasz": "Łukaszu",
    "Jakub": "Jakubie",
    "Kuba": "Kubo",
    "Bartek": "Bartku",
    "Wojciech": "Wojciechu",
    "Grzegorz": "Grzegorzu",
    "Kacper": "Kacprze",
    "Andrzej": "Andrzeju",
    "Dawid": "Dawidzie",
    "Igor": "Igorze",
    "Jerzy": "Jerzy",
    "Antoni": "Antoni",
}
WOMEN = {
    "Anna": "Anno",
    "Kasia": "Kasiu",
    "Agnieszka": "Agnieszko",
    "Ola": "Olu",
    "Zofia": "Zofio",
    "Małgorzata": "Małgorzato",
    "Ewa": "Ewo",
    "Maria": "Mario",
    "Basia": "Basiu",
    "Magda": "Magdo",
    "Natalia": "Natalio",
    "Karolina": "Karolino",
    "Żaneta": "Żaneto",
    "Gosia": "Gosiu",
    "Zuzia": "Zuziu",
}


@pytest.mark.parametrize(("name", "expected"), sorted(MEN.items()))
def test_mens_names(name: str, expected: str) -> None:
    assert vocative(name) == expected
    assert gender(name) == "m"


@pytest.mark.parametrize(("name", "expected"), sorted(WOMEN.items()))
def test_womens_names(name: str, expected: str) -> None:
    assert vocative(name) == expected
    assert gender(name) == "f"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("marek", "Marku"),
        ("MAREK", "Marku"),
        ("  Anna ", "Anno"),
        ("Anna Maria", "Anno"),
        # Without diacritics: the only Polish spelling that is a first name.
        ("Lukasz", "Łukaszu"),
        ("lukasz", "Łukaszu"),
        ("Pawel", "Pawle"),
        ("Malgorzata", "Małgorzato"),
        ("Zaneta", "Żaneto"),
        ("Jozef", "Józefie"),
        ("Stanislaw", "Stanisławie"),
        # A name as typed wins over a spelling with diacritics (Łucja is a name too).
        ("Lucja", "Lucjo"),
    ],
)
def test_names_as_customers_type_them(typed: str, expected: str) -> None:
    assert vocative(typed) == expected


@pytest.mark.parametrize("name", ["Siobhan", "Xiaoling", "Nikola", "Mark", "Jean-Luc", "", "   ", "123", "x" * 60])
def test_unknown_names_have_no_vocative(name: str) -> None:
    assert vocative(name) is None
    assert gender(name) is None


def test_some_foreign_names_are_in_the_dictionary() -> None:
    assert (vocative("John"), vocative("Kevin"), vocative("Jessica")) == ("Johnie", "Kevinie", "Jessico")


@pytest.mark.parametrize(
    ("name", "lang", "register", "expected"),
    [
        ("Marek", "pl", "ty", "Cześć Marku,"),
        ("Anna", "pl", "ty", "Cześć Anno,"),
        ("Marek", "pl", "pan", "Dzień dobry Panie Marku,"),
        ("Anna", "pl", "pan", "Dzień dobry Pani Anno,"),
        ("lukasz", "pl", "pan", "Dzień dobry Panie Łukaszu,"),
        ("Mark", "en", "ty", "Hi Mark,"),
        ("Mark", "en", "pan", "Hi Mark,"),
        ("anna maria", "en", "ty", "Hi Anna,"),
    ],
)
def test_greetings_in_every_register(name: str, lang: str, register: str, expected: str) -> None:
    assert greeting(name, lang, register) == expected


@pytest.mark.parametrize("name", ["", "Siobhan", "   "])
def test_greetings_without_a_known_name(name: str) -> None:
    assert greeting(name, "pl", "ty") == "Cześć,"
    assert greeting(name, "pl", "pan") == "Dzień dobry,"
    assert greeting("", "en", "ty") == "Hi,"


def test_english_greeting_keeps_a_name_polish_does_not_know() -> None:
    assert greeting("Siobhan", "en", "ty") == "Hi Siobhan,"
    assert greeting("123", "en", "ty") == "Hi,"


@pytest.mark.parametrize(("lang", "register"), [("de", "ty"), ("pl", "wy")])
def test_unknown_language_or_register_is_an_error(lang: str, register: str) -> None:
    with pytest.raises(ValueError, match="unknown"):
        greeting("Marek", lang, register)
