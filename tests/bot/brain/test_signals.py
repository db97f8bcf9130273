import pytest

from bot.brain.signals import asks_for_human, threatens_legal_action


@pytest.mark.parametrize(
    "text",
    [
        "chcę rozmawiać z człowiekiem",
        "chce rozmawiac z czlowiekiem",
        "poproszę konsultanta",
        "kosultant!!",
        "czy jest tam ktoś żywy?",
        "połączcie mnie z pracownikiem",
        "Chcę rozmawiać z kierownikiem.",
        "I want to talk to a real person",
        "agent please",
        "can I speak to someone?",
        "Could someone from your team call me back?",
    ],
)
def test_explicit_requests_for_a_person(text: str) -> None:
    assert asks_for_human(text)


@pytest.mark.parametrize(
    "text",
    ["nie chcę rozmawiać z konsultantem, wystarczy link", "gdzie jest moja paczka", "how do I return a product",
     "ile kosztuje dostawa"],
)
def test_no_request_for_a_person(text: str) -> None:
    assert not asks_for_human(text)


@pytest.mark.parametrize(
    "text",
    ["oddaję sprawę do sądu", "zgłoszę to do UOKiK", "mój prawnik się z wami skontaktuje", "pozwę was",
     "napiszę do rzecznika konsumentów", "I'll see you in court", "my lawyer will contact you",
     "dostaniecie wezwanie przedsądowe"],
)
def test_legal_threats(text: str) -> None:
    assert threatens_legal_action(text)


@pytest.mark.parametrize(
    "text",
    [
        "sądzę, że paczka zaginęła",
        "czy pozwolicie mi odebrać w sklepie?",
        "zmywarka przecieka, jak zgłosić do was usterkę",
        "can I return it to the store?",
    ],
)
def test_ordinary_words_that_look_legal_are_not_threats(text: str) -> None:
    assert not threatens_legal_action(text)


@pytest.mark.parametrize(
    "text",
    ["Czy szukacie pracowników?", "rekrutacja na stanowisko konsultanta infolinii", "are you hiring consultants?"],
)
def test_questions_about_jobs_are_not_requests_for_a_person(text: str) -> None:
    assert not asks_for_human(text)


@pytest.mark.parametrize("text", ["konsulatnt prosze", "halo, jest tam ktos prawdziwy?", "is anyone alive over there?"])
def test_typos_and_loose_phrasings_of_a_request_for_a_person(text: str) -> None:
    assert asks_for_human(text)


def test_consumer_is_not_a_misspelt_consultant() -> None:
    assert not asks_for_human("jakie mam prawa jako konsument przy zwrocie?")


@pytest.mark.parametrize("text", ["Please transfer me to a staff member.", "Can you put me through to your team?"])
def test_asking_to_be_transferred_is_a_request_for_a_person(text: str) -> None:
    assert asks_for_human(text)
