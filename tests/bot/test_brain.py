from pathlib import Path

import pytest

from bot.brain import Brain, best_per_topic, load_brain
from bot.build_index import build
from bot.embeddings import HashingEmbedder
from bot.index import Hit, Row

FIXTURES = Path(__file__).parent.parent / "fixtures" / "faq"


@pytest.fixture(scope="module")
def brain(tmp_path_factory: pytest.TempPathFactory) -> Brain:
    root = tmp_path_factory.mktemp("index")
    build(FIXTURES, root, "hashing", progress=False)
    return load_brain(root, HashingEmbedder(), register="ty", threshold=None)


def test_polish_question_without_diacritics_gets_the_polish_answer(brain: Brain) -> None:
    decision = brain.decide("jak zwrocic produkt")
    assert decision.decision == "answer"
    assert decision.faq_id == "return_howto"
    assert decision.lang == "pl"
    assert decision.answer == "Zgłoś zwrot w zakładce Moje zamówienia i wyślij paczkę."


def test_english_question_gets_the_english_answer(brain: Brain) -> None:
    decision = brain.decide("How much does delivery cost?")
    assert (decision.decision, decision.faq_id, decision.lang) == ("answer", "delivery_cost", "en")
    assert decision.answer is not None and "14.99" in decision.answer


def test_formal_register_is_a_setting(brain: Brain) -> None:
    formal = Brain(brain.embedder, brain.index, list(brain.entries.values()), register="pan")
    assert formal.decide("jak zresetować hasło").answer == "Prosimy kliknąć „Nie pamiętam hasła” na stronie logowania."


def test_unrelated_text_is_clarified_with_topics_to_choose(brain: Brain) -> None:
    decision = brain.decide("xyz qwerty zzz")
    assert decision.decision == "clarify"
    assert decision.reasons == ["low_confidence"]
    assert 1 <= len(decision.options) <= 3
    assert {"faq_id", "title"} <= set(decision.options[0])


@pytest.mark.parametrize("text", ["", "   ", "🙂🙂🙂", "\x00\x01\x02"])
def test_input_without_words_asks_what_the_customer_needs(brain: Brain, text: str) -> None:
    decision = brain.decide(text)
    assert decision.decision == "clarify"
    assert decision.reasons == ["empty"]
    assert decision.answer


def test_huge_input_is_decided_not_crashed(brain: Brain) -> None:
    decision = brain.decide("jak zwrócić produkt " * 10_000)
    assert decision.decision in {"answer", "clarify"}


def test_best_per_topic_keeps_each_topics_best_score() -> None:
    hits = [Hit(Row("a", "pl", "x"), 0.5), Hit(Row("b", "pl", "y"), 0.7), Hit(Row("a", "en", "z"), 0.9)]
    assert best_per_topic(hits) == [("a", 0.9), ("b", 0.7)]


def test_index_built_with_another_embedder_is_refused(tmp_path: Path) -> None:
    build(FIXTURES, tmp_path, "hashing", progress=False)

    class Other(HashingEmbedder):
        name = "other"

    with pytest.raises(ValueError, match="rebuild it"):
        load_brain(tmp_path, Other(), "ty", None)
