from dataclasses import replace
from pathlib import Path

import pytest

from bot.brain.brain import Brain, load_brain
from bot.brain.build_index import build
from bot.brain.decision import Thresholds
from bot.brain.embeddings import HashingEmbedder
from bot.brain.faults import clauses

FIXTURES = Path(__file__).parents[2] / "fixtures" / "faq"
# Fixed thresholds: these tests are about the brain's wiring, not the calibration.
THRESHOLDS = Thresholds(answer=0.6, out_of_scope=0.2, negative=0.9, problem=0.7)


@pytest.fixture(scope="module")
def brain(tmp_path_factory: pytest.TempPathFactory) -> Brain:
    root = tmp_path_factory.mktemp("index")
    build(FIXTURES, root, "hashing", progress=False, archive_dir=None)
    loaded = load_brain(root, HashingEmbedder(), register="ty", threshold=None)
    loaded.thresholds = THRESHOLDS
    return loaded


def test_polish_question_without_diacritics_gets_the_polish_answer(brain: Brain) -> None:
    decision = brain.decide("jak zwrocic produkt")
    assert (decision.decision, decision.faq_id, decision.lang) == ("answer", "return_howto", "pl")
    assert decision.answer == "Zgłoś zwrot w zakładce Moje zamówienia i wyślij paczkę."
    assert decision.evidence[0]["faq_id"] == "return_howto"


def test_english_question_gets_the_english_answer(brain: Brain) -> None:
    decision = brain.decide("How much does delivery cost?")
    assert (decision.decision, decision.faq_id, decision.lang) == ("answer", "delivery_cost", "en")
    assert decision.answer is not None and "14.99" in decision.answer


def test_formal_register_is_a_setting(brain: Brain) -> None:
    formal = Brain(brain.embedder, brain.index, list(brain.entries.values()), brain.classifier,
                   brain.sentiment, THRESHOLDS, register="pan")
    assert formal.decide("jak zresetować hasło").answer == "Prosimy kliknąć „Nie pamiętam hasła” na stronie logowania."


def test_explicit_request_for_a_person_is_handed_off(brain: Brain) -> None:
    decision = brain.decide("chcę rozmawiać z konsultantem")
    assert decision.decision == "handoff"
    assert "human_request" in decision.reasons


def test_unclear_message_offers_the_closest_topics(brain: Brain) -> None:
    unsure = Brain(brain.embedder, brain.index, list(brain.entries.values()), brain.classifier,
                   brain.sentiment, replace(THRESHOLDS, answer=0.99))
    decision = unsure.decide("mam pytanie o paczkę")
    assert decision.decision == "clarify"
    assert decision.reasons == ["low_confidence"]
    assert {o["faq_id"] for o in decision.options} <= {"return_howto", "delivery_cost", "password_reset"}


def test_same_question_again_goes_to_a_person(brain: Brain) -> None:
    decision = brain.decide("ile kosztuje dostawa?", history=["ile kosztuje dostawa kurierem"])
    assert decision.decision == "handoff"
    assert decision.reasons == ["repeated_question"]


@pytest.mark.parametrize("text", ["", "   ", "🙂🙂🙂", "\x00\x01\x02"])
def test_input_without_words_asks_what_the_customer_needs(brain: Brain, text: str) -> None:
    decision = brain.decide(text)
    assert (decision.decision, decision.reasons) == ("clarify", ["empty"])
    assert decision.answer


@pytest.mark.parametrize("text", ["jak zwrócić produkt " * 10_000, "\udcff\ufffe binary \x7f" * 50, "مرحبا كيف حالك"])
def test_huge_or_strange_input_is_decided_not_crashed(brain: Brain, text: str) -> None:
    assert brain.decide(text).decision in {"answer", "clarify", "handoff"}


def test_clauses_split_a_message_into_separate_problems() -> None:
    text = "paczka przyszła uszkodzona. W dodatku brakuje ładowarki, a do tego faktura ma zły NIP"
    parts = clauses(text)
    assert len(parts) == 3
    assert parts[0] == "paczka przyszła uszkodzona"
    assert parts[1].endswith("brakuje ładowarki") and parts[2].endswith("faktura ma zły NIP")


def test_context_before_a_question_is_not_a_second_problem(brain: Brain) -> None:
    assert brain.reader.count_problems("kupiłam pralkę tydzień temu, jak ją zwrócić?") < 2


def test_earlier_turns_are_judged_from_their_vectors_not_read_whole(brain: Brain) -> None:
    history = [{"role": "customer", "text": "ile kosztuje dostawa kurierem?"},
               {"role": "bot", "text": "Kurier 14,99 zł.", "decision": "answer", "faq_id": "delivery_cost"},
               {"role": "customer", "text": "nie o to pytałem, chodzi o coś innego"},
               {"role": "bot", "text": "Który temat?", "decision": "answer", "faq_id": "delivery_time"}]
    brain.reader.clear()
    brain.decide("a za granicę?", history)
    assert brain.reader.read.cache_info().currsize == 1  # only the message being decided
