import pytest

from bot.core.language import detect_lang
from bot.core.text import fold_diacritics, words


def test_fold_diacritics_handles_every_polish_letter() -> None:
    assert fold_diacritics("Zażółć gęślą jaźń ŁÓDŹ") == "Zazolc gesla jazn LODZ"


def test_words_are_folded_and_lower_cased() -> None:
    assert words("Gdzie jest MOJA paczka?!") == ["gdzie", "jest", "moja", "paczka"]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Jak zwrócić produkt?", "pl"),
        ("gdzie jest moje zamowienie", "pl"),
        ("czy mozna zaplacic przy odbiorze", "pl"),
        ("kiedy dostane zwrot kasy", "pl"),
        ("Where is my order?", "en"),
        ("how do i return a product", "en"),
        ("I was charged twice for one order", "en"),
    ],
)
def test_detect_lang_on_customer_messages(text: str, lang: str) -> None:
    assert detect_lang(text) == lang


def test_detect_lang_falls_back_to_default_without_evidence() -> None:
    assert detect_lang("???") == "pl"
    assert detect_lang("ok", default="en") == "en"


def test_sanitize_drops_surrogates_and_control_characters() -> None:
    from bot.core.text import sanitize

    assert sanitize("a\udcffb\x00c\x7fd\ne") == "a?bcd\ne"
