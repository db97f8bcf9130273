import pytest

from bot.learning.redact import (
    iban_valid,
    luhn_valid,
    nrb_valid,
    pesel_valid,
    redact,
    redact_with_counts,
    split_name,
    surname_forms,
)

CUSTOMER = "Marek Kowalski"

EMAILS = [
    ("mój mail to jan.kowalski@wp.pl", "mój mail to [EMAIL]"),
    ("Piszcie na ania_nowak88@gmail.com, dzięki", "Piszcie na [EMAIL], dzięki"),
    ("e-mail: m.wisniewska+volta@onet.com.pl.", "e-mail: [EMAIL]."),
    ("my email is john.smith@example.co.uk", "my email is [EMAIL]"),
    ("JAN.KOWALSKI@INTERIA.PL", "[EMAIL]"),
    ("adres jan [at] wp.pl", "adres [EMAIL]"),
    ("jan(at)wp(dot)pl", "[EMAIL]"),
    ("kasia małpa o2.pl", "[EMAIL]"),
]

PHONES = [
    ("Mój numer: +48 601 234 567", "Mój numer: [PHONE]"),
    ("zadzwońcie 0048601234567", "zadzwońcie [PHONE]"),
    ("tel. 601-234-567", "tel. [PHONE]"),
    ("tel.601234567", "tel.[PHONE]"),
    ("numer 601234567 proszę", "numer [PHONE] proszę"),
    ("(22) 123 45 67 po 16", "[PHONE] po 16"),
    ("stacjonarny 22 123 45 67", "stacjonarny [PHONE]"),
    ("12-345-67-89", "[PHONE]"),
    ("kom. 601 23 45 67", "kom. [PHONE]"),
    ("+48601234567", "[PHONE]"),
    ("(+48) 512 345 678", "[PHONE]"),
    ("48601234567", "[PHONE]"),
    ("call me on +44 20 7946 0958", "call me on [PHONE]"),
    ("my US number +1 (212) 555-0100.", "my US number [PHONE]."),
    ("+49 30 12345678", "[PHONE]"),
    ("0044 7700 900123", "[PHONE]"),
    ("Numer 601 234 567, oddzwońcie", "Numer [PHONE], oddzwońcie"),
    ("601.234.567", "[PHONE]"),
]

PESELS = [
    ("mój PESEL 44051401359", "mój PESEL [PESEL]"),
    ("PESEL: 02270803624", "PESEL: [PESEL]"),
    ("pesel 440514 01359", "pesel [PESEL]"),
    ("PESEL: 44051401358", "PESEL: [PESEL]"),  # bad checksum, but labelled
    ("numer 44051401359 jest w umowie", "numer [PESEL] jest w umowie"),
    ("Pesel nr 8 5 0 3 1 2 1 2 3 4 5", "Pesel nr [PESEL]"),
]

CARDS = [
    ("karta 4111 1111 1111 1111", "karta [CARD]"),
    ("4111111111111111", "[CARD]"),
    ("5500-0000-0000-0004 obciążona dwa razy", "[CARD] obciążona dwa razy"),
    ("Amex 3782 822463 10005", "Amex [CARD]"),
    ("card number 4012 8888 8888 1881", "card number [CARD]"),
    ("Visa 4222 2222 2222 2", "Visa [CARD]"),
]

ACCOUNTS = [
    ("konto PL61 1090 1014 0000 0712 1981 2874", "konto [IBAN]"),
    ("PL61109010140000071219812874", "[IBAN]"),
    ("przelew na 61 1090 1014 0000 0712 1981 2874 proszę", "przelew na [IBAN] proszę"),
    ("61109010140000071219812874", "[IBAN]"),
    ("IBAN DE89 3704 0044 0532 0130 00", "IBAN [IBAN]"),
    ("GB29 NWBK 6016 1331 9268 19 is my account", "[IBAN] is my account"),
    ("nr konta: 12 3456 7890 1234 5678 9012 3456", "nr konta: [IBAN]"),  # bad checksum, labelled
    ("zwrot na PL61 1090 1014 0000 0712 1981 2874 2026", "zwrot na [IBAN] 2026"),
]

ADDRESSES = [
    ("Mieszkam ul. Długa 12/3, 00-950 Warszawa.", "Mieszkam [ADDRESS]."),
    ("wyślijcie na ulica Długa 5 m. 7", "wyślijcie na [ADDRESS]"),
    ("adres: Kwiatowa 15, 31-000 Kraków", "adres: [ADDRESS]"),
    ("kod 00-950 Warszawa", "kod [ADDRESS]"),
    ("al. Jana Pawła II 23, 00-854 Warszawa", "[ADDRESS]"),
    ("os. Tysiąclecia 45/12", "[ADDRESS]"),
    ("pl. Grunwaldzki 22, 50-363 Wrocław", "[ADDRESS]"),
    ("na ul. 3 Maja 5", "na [ADDRESS]"),
    ("ul. Ks. Jerzego Popiełuszki 7 lok. 4, 01-786 Warszawa", "[ADDRESS]"),
    ("Lipowa 8, 43-300 Bielsko-Biała", "[ADDRESS]"),
    ("ulicy Słowackiego 10, 80-257 Gdańsk", "[ADDRESS]"),
    ("221B Baker Street, London NW1 6XE", "[ADDRESS]"),
    ("send it to 12 High St please", "send it to [ADDRESS] please"),
    ("Flat 3, 45 Queen Victoria Road, Leeds LS1 2AB", "[ADDRESS]"),
    ("1600 Pennsylvania Avenue, Washington, DC 20500", "[ADDRESS]"),
    ("I'm in Manchester M1 1AE", "I'm in [ADDRESS]"),
]

KEPT = [
    "zamówienie VL-2458130 nie doszło",
    "reklamacja RK-204518, zwrot ZW-123456",
    "numer zamówienia (VL-...)",
    "cena 1 299,00 zł, po rabacie 999 zł",
    "telewizor za 12 999 zł",
    "dostawa 12.03.2026 między 10:15 a 14:15",
    "data 2026-03-12, godzina 18.30",
    "iPhone 15 Pro 256 GB, Samsung Galaxy S23 5G",
    "Sony KD-55X85L i LG OLED55C31LA",
    "kupiłem 2 sztuki po 500 ml",
    "zamówienie 2458130",
    "kod pocztowy 31-000",
    "sprawdź dostępność w kodzie 02-677",
    "Zadzwoń do nas: +48 22 100 20 30 albo pomoc@volta.example",
    "tel. 22 100 20 30, firmy@volta.example, iod@volta.example",
    "Volta Warszawa Mokotów, ul. Kablowa 12, 02-677 Warszawa",
    "oddaj w sklepie przy ul. Przewodowa 8 w Krakowie",
    "zwroty: Centrum Logistyczne Volta – Zwroty, ul. Magazynowa 5, 05-800 Pruszków",
    "volta.example/zwroty",
    "numer przesyłki 123456789012345678901234",
    "rozdzielczość 3840 x 2160, 120 Hz, 55 cali",
    "kod BLIK 123 456",
    "11 cyfr 12345678901 to nie PESEL",
    "EAN 5901234123457",
    "faktura FV/2026/03/000123",
    "2 x 4 lata gwarancji, 24 miesiące",
    "100%",
    "the order is 3 items, 2 of them arrived on 12/03/2026",
    "Hi John, thanks for waiting",
    "Najbliższy termin to jutro 8:00–12:00 albo czwartek 16:00–20:00.",
    "System OS Android 14, aleja 3 drzwi",
    "Pani Koordynator, Pan Kurier",
]

ALL_POSITIVE = EMAILS + PHONES + PESELS + CARDS + ACCOUNTS + ADDRESSES


@pytest.mark.parametrize(("text", "expected"), ALL_POSITIVE)
def test_personal_data_is_replaced(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize("text", KEPT)
def test_case_numbers_prices_dates_and_volta_data_are_kept(text: str) -> None:
    assert redact(text) == text
    assert redact(text, CUSTOMER, "moderator") == text


NAMES = [
    ("Cześć Marku, zamówienie jest na Kowalskiego.", "Cześć Marku, zamówienie jest na [NAME]."),
    ("Dzień dobry Panie Marku, paczka dla Marka Kowalskiego już jedzie.",
     "Dzień dobry Panie Marku, paczka dla [NAME] już jedzie."),
    ("Przesyłka zaadresowana do Pana Kowalskiego.", "Przesyłka zaadresowana do Pana [NAME]."),
    ("Rozmawiałam z Panem Kowalskim wczoraj.", "Rozmawiałam z Panem [NAME] wczoraj."),
    ("Faktura na Kowalskiemu? Nie, na Kowalski Marek.", "Faktura na [NAME]? Nie, na [NAME]."),
    ("Zamówienie pani Kowalskiej", "Zamówienie pani [NAME]"),
    ("Bez polskich liter: Kowalskiego", "Bez polskich liter: [NAME]"),
    ("Hi Marek, the parcel for Mr Kowalski is on its way.", "Hi Marek, the parcel for Mr [NAME] is on its way."),
]


@pytest.mark.parametrize(("text", "expected"), NAMES)
def test_surname_in_any_case_is_replaced_in_moderator_turns(text: str, expected: str) -> None:
    assert redact(text, CUSTOMER, "moderator") == expected


def test_a_surname_the_dictionary_does_not_know_gets_simple_endings() -> None:
    text = "Zamówienie na Brzęczyszczykiewicza, dzwoniłem do Pana Brzęczyszczykiewicza."
    expected = "Zamówienie na [NAME], dzwoniłem do Pana [NAME]."
    assert redact(text, "Grzegorz Brzęczyszczykiewicz", "moderator") == expected


def test_other_surnames_after_a_title_are_replaced_even_when_only_an_initial_is_known() -> None:
    assert redact("Dzień dobry Pani Nowak,", "Anna N.", "moderator") == "Dzień dobry Pani [NAME],"
    assert redact("Thanks Mrs Smith!", "Jane S.", "moderator") == "Thanks Mrs [NAME]!"
    assert redact("Dzień dobry Pani Anno,", "Anna N.", "moderator") == "Dzień dobry Pani Anno,"


@pytest.mark.parametrize("text", ["Cześć Marku!", "Dzień dobry Panie Marku,", "Marek, sprawdzę to.",
                                  "Pan Kurier przyjedzie jutro.", "Hi Marek,", "Klub Volta"])
def test_first_name_and_its_vocative_stay(text: str) -> None:
    assert redact(text, CUSTOMER, "moderator") == text


def test_names_are_only_redacted_in_moderator_turns() -> None:
    assert redact("Marek Kowalski", CUSTOMER, "customer") == "Marek Kowalski"
    assert redact("Marek Kowalski", CUSTOMER, "moderator") == "[NAME]"


@pytest.mark.parametrize("text", [t for t, _ in ALL_POSITIVE + NAMES] + KEPT)
def test_redaction_is_idempotent(text: str) -> None:
    once = redact(text, CUSTOMER, "moderator")
    assert redact(once, CUSTOMER, "moderator") == once


def test_a_mixed_message_and_its_counts() -> None:
    text = ("Zamówienie VL-2458130, tel. 601 234 567, mail jan@wp.pl, PESEL 44051401359, "
            "karta 4111 1111 1111 1111, konto PL61 1090 1014 0000 0712 1981 2874, "
            "adres ul. Długa 5, 00-950 Warszawa. Pozdrawiam, Kowalski")
    out, counts = redact_with_counts(text, CUSTOMER, "moderator")
    assert out == ("Zamówienie VL-2458130, tel. [PHONE], mail [EMAIL], PESEL [PESEL], karta [CARD], konto [IBAN], "
                   "adres [ADDRESS]. Pozdrawiam, [NAME]")
    assert dict(counts) == {"PHONE": 1, "EMAIL": 1, "PESEL": 1, "CARD": 1, "IBAN": 1, "ADDRESS": 1, "NAME": 1}


def test_checksums() -> None:
    assert iban_valid("PL61 1090 1014 0000 0712 1981 2874")
    assert not iban_valid("PL62 1090 1014 0000 0712 1981 2874")
    assert nrb_valid("61109010140000071219812874") and not nrb_valid("12345678901234567890123456")
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")
    assert pesel_valid("44051401359") and pesel_valid("02270803624")
    assert not pesel_valid("44051401358") and not pesel_valid("44133101350")


def test_unvalidated_numbers_of_the_right_length_stay() -> None:
    assert redact("karta 4111 1111 1111 1112") == "karta 4111 1111 1111 1112"
    assert redact("przelew 12 3456 7890 1234 5678 9012 3456") == "przelew 12 3456 7890 1234 5678 9012 3456"
    assert redact("PL62 1090 1014 0000 0712 1981 2874") == "PL62 1090 1014 0000 0712 1981 2874"


def test_name_helpers() -> None:
    assert split_name("Marek Kowalski") == ("Marek", "Kowalski")
    assert split_name("Marek K.") == ("Marek", "")
    assert split_name("marek") == ("Marek", "")
    assert split_name("") == ("", "")
    assert {"Kowalskiego", "Kowalskim", "Kowalska", "Kowalskiej", "Kowalskiemu"} <= surname_forms("Kowalski")
    assert {"Nowak-Kowalska", "Nowaka", "Kowalskiej", "Kowalskiego"} <= surname_forms("Nowak-Kowalska")


MULTI_WORD = [
    ("Anna Maria Nowak", "Dzień dobry Pani Anno, paczka dla Pani Nowak, a nie Nowakowej.",
     "Dzień dobry Pani Anno, paczka dla Pani [NAME], a nie [NAME]."),
    ("Anna Maria Nowak", "Zamówienie na Annę Marię Nowak.", "Zamówienie na [NAME]."),
    ("Jan van Dijk", "Dzień dobry Panie Janie, przesyłka dla Pana van Dijka, nie Dijka.",
     "Dzień dobry Panie Janie, przesyłka dla Pana [NAME], nie [NAME]."),
    ("Jan van Dijk", "Jan van Dijk potwierdził; van to tylko słowo.", "[NAME] potwierdził; van to tylko słowo."),
]


@pytest.mark.parametrize(("name", "text", "expected"), MULTI_WORD)
def test_a_surname_of_more_words_is_redacted_word_by_word(name: str, text: str, expected: str) -> None:
    assert redact(text, name, "moderator") == expected
    assert redact(expected, name, "moderator") == expected


@pytest.mark.parametrize("name", ["", " ", "123 456", "!!! ???", "Jan 😀", "Jan -", "a" * 200, "Jan " + "b" * 196,
                                  "x\x00y z\x00w", "Jan van", "Jan (Nowak),", " ".join(["Ab"] * 70)])
def test_no_customer_name_makes_redaction_fail_or_match_everything(name: str) -> None:
    text = "Dzień dobry, zwrot 123 dla Pana Nowaka - do jutra!"
    out = redact(text, name, "moderator")
    assert "[NAME]" not in out.replace("Pana [NAME]", "") and redact(out, name, "moderator") == out
