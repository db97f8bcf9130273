from pathlib import Path

import pytest

from bot.brain.brain import Brain, load_brain
from bot.brain.build_index import build
from bot.brain.embeddings import HashingEmbedder

FIXTURES = Path(__file__).parents[2] / "fixtures" / "faq"
KEYS = {"faq_id", "title", "answer", "score", "lang"}


@pytest.fixture(scope="module")
def brain(tmp_path_factory: pytest.TempPathFactory) -> Brain:
    root = tmp_path_factory.mktemp("index")
    build(FIXTURES, root, "hashing", progress=False, archive_dir=None)
    return load_brain(root, HashingEmbedder(), register="ty", threshold=None)


def test_closest_topic_comes_first_with_its_polish_answer(brain: Brain) -> None:
    suggestions = brain.suggest("ile kosztuje dostawa")
    assert [set(s) for s in suggestions] == [KEYS] * 3
    first = suggestions[0]
    assert (first["faq_id"], first["title"], first["lang"]) == ("delivery_cost", "Koszt dostawy", "pl")
    assert first["answer"] == brain.entries["delivery_cost"].answer("pl", "ty")


def test_topics_are_distinct_and_ranked_by_score(brain: Brain) -> None:
    suggestions = brain.suggest("jak zwrocic produkt", k=5)
    ids = [s["faq_id"] for s in suggestions]
    assert sorted(ids) == sorted(brain.entries)  # only three topics in the fixtures
    scores = [s["score"] for s in suggestions]
    assert scores == sorted(scores, reverse=True)
    assert ids[0] == "return_howto"


def test_k_limits_the_suggestions(brain: Brain) -> None:
    assert len(brain.suggest("ile kosztuje dostawa", k=1)) == 1


def test_english_text_gets_english_answers(brain: Brain) -> None:
    suggestions = brain.suggest("How much does delivery cost?")
    assert {s["lang"] for s in suggestions} == {"en"}
    assert suggestions[0]["title"] == "Delivery cost"
    assert "14.99" in suggestions[0]["answer"]


def test_formal_register_is_the_brains(brain: Brain) -> None:
    formal = Brain(
        brain.embedder,
        brain.index,
        list(brain.entries.values()),
        brain.classifier,
        brain.sentiment,
        brain.thresholds,
        register="pan",
    )
    assert formal.suggest("jak zresetować hasło")[0]["answer"] == brain.entries["password_reset"].answer("pl", "pan")


def test_same_ranking_as_decide(brain: Brain) -> None:
    text = "mam pytanie o paczkę"
    ranked = [e["faq_id"] for e in brain.decide(text).evidence if "probability" in e]
    assert [s["faq_id"] for s in brain.suggest(text)] == ranked


@pytest.mark.parametrize("text", ["", "   ", "?!"])
def test_nothing_to_suggest_for_an_empty_message(brain: Brain, text: str) -> None:
    assert brain.suggest(text) == []
