from bot.brain.lexical import Lemmatizer


def test_inflected_forms_typed_without_diacritics_share_a_lemma() -> None:
    lemmatizer = Lemmatizer(["Gdzie jest moje zamówienie?", "Paczka przyszła uszkodzona"])
    assert lemmatizer.lemma("zamowienia") == lemmatizer.lemma("zamówieniu") in {"zamowienie", "zamowic"}
    assert lemmatizer.lemma("paczke") == lemmatizer.lemma("paczki") == "paczka"


def test_unknown_english_words_lose_their_plural() -> None:
    assert Lemmatizer().tokens("orders") == ["order"]


def test_learned_forms_survive_a_round_trip() -> None:
    lemmatizer = Lemmatizer(["reklamacja"])
    again = Lemmatizer(forms=lemmatizer.forms)
    assert again.lemma("reklamacje") == "reklamacja"
