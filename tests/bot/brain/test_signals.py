import pytest

from bot.brain.signals import asks_for_human, demands_compensation, threatens_legal_action, threatens_public_complaint


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
    ["żądam odszkodowania", "należy mi się rekompensata", "dajcie chociaż rabat za ten kłopot",
     "I want compensation for this", "a voucher for the hassle would be fair"],
)
def test_demands_for_compensation(text: str) -> None:
    assert demands_compensation(text)


def test_refund_question_is_not_a_compensation_demand() -> None:
    assert not demands_compensation("kiedy dostanę zwrot pieniędzy za zwrócony towar?")


@pytest.mark.parametrize(
    "text", ["opiszę to na facebooku", "wystawię wam negatywną opinię", "I'll leave a bad review"]
)
def test_public_complaints(text: str) -> None:
    assert threatens_public_complaint(text)


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


@pytest.mark.parametrize(
    "text",
    [
        # money back for costs paid out of pocket because of the trouble
        "chcę zwrot za bilet na pociąg, bo dostawa się nie odbyła",
        "zwróćcie mi koszty dojazdu do serwisu",
        "oddajcie mi za parking pod sklepem, trzy razy przyjeżdżałem",
        "Oczekuję pokrycia kosztów wymiany zamka, który uszkodził monter.",
        "Please reimburse the hotel night I paid because the installer never came.",
        "I want a refund for the fuel I wasted driving to your store twice.",
        # a gesture of goodwill for the trouble
        "za to całe zamieszanie chociaż darmowa dostawa",
        "dajcie jakiś kod promocyjny, skoro tyle to trwało",
        "upust by się należał",
        "należy mi się jakaś obniżka za ten bałagan",
        "A discount for all this hassle would be nice.",
        "The least you can do is a voucher.",
        "I deserve a coupon after all this.",
        # who covers the damage
        "Who is going to cover the cost of my ruined carpet?",
        "The dishwasher flooded my kitchen and I want that covered.",
        "kto mi za to zapłaci?",
    ],
)
def test_demands_for_compensation_in_customers_own_words(text: str) -> None:
    assert demands_compensation(text)


@pytest.mark.parametrize(
    "text",
    [
        "kiedy dostanę zwrot pieniędzy za zwrócony towar?",
        "Czy zwrot kosztów przesyłki jest po mojej stronie?",
        "kto pokryje koszt odesłania paczki?",
        "jak użyć kodu rabatowego?",
        "czy dajecie rabat dla studentów?",
        "kod rabatowy nie działa, a przynajmniej nie w koszyku",
        "przepraszam za kłopot, gdzie mogę oddać sprzęt do naprawy?",
        "kupiłem słuchawki za 599, dziś są po 499, należy mi się coś?",
        "zwrot na rachunek bankowy, kiedy?",
        "who pays for return shipping?",
        "does the insurance cover water damage on a laptop",
        "When will the refund for my returned jacket arrive?",
        "Can I use a gift voucher together with a discount code?",
    ],
)
def test_routine_money_questions_are_not_compensation_demands(text: str) -> None:
    assert not demands_compensation(text)


@pytest.mark.parametrize("text", ["Please transfer me to a staff member.", "Can you put me through to your team?"])
def test_asking_to_be_transferred_is_a_request_for_a_person(text: str) -> None:
    assert asks_for_human(text)


@pytest.mark.parametrize(
    "text", ["dałem wam jedną gwiazdkę na ceneo", "wystawię 1/5 na opineo", "One-star review on Trustpilot coming."]
)
def test_reviews_on_rating_sites_are_public_complaints(text: str) -> None:
    assert threatens_public_complaint(text)
