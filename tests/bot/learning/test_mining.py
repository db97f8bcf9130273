from typing import Any

import numpy as np
import pytest

from bot.brain.brain import Brain
from bot.learning.mining import (
    Pair,
    Proposal,
    Space,
    clean_answer,
    derive_similarity,
    extract_pairs,
    group_similar,
    index_vectors,
    mine,
    precision_threshold,
    question_focus,
)
from tests.fixtures.brain import fixture_brain

# Cosine in the fixture brain's space: the gift-wrapping questions below are 0.25-0.45 apart,
# unrelated questions below 0.21.
GROUPING = 0.22
HANDOFF_NOTICE = "Przekazuję rozmowę konsultantowi – odpisze tutaj najszybciej, jak to możliwe."
GIFT_ANSWER = "Cześć Marku, tu Anna. Niestety nie pakujemy zakupów na prezent – ani online, ani w sklepach.\n— Anna"


@pytest.fixture(scope="module")
def brain(tmp_path_factory: pytest.TempPathFactory) -> Brain:
    return fixture_brain(tmp_path_factory.mktemp("index"))


def turn(role: str, text: str, minute: int, **extra: str) -> dict[str, Any]:
    return {"role": role, "text": text, "at": f"2026-03-02T10:{minute:02d}:00Z", **extra}


def conversation(
    cid: str,
    question: str,
    answers: list[str],
    outcome: str = "moderator_resolved",
    faq_ids: list[str] | None = None,
    approved: list[str] | None = None,
    name: str = "Marek K.",
    reasons: list[str] | None = None,
) -> dict[str, Any]:
    turns = [turn("customer", question, 0), turn("bot", HANDOFF_NOTICE, 1)]
    turns += [turn("moderator", a, 10 + n, author="Anna") for n, a in enumerate(answers)]
    return {
        "id": cid,
        "lang": "pl",
        "customer": {"display_name": name},
        "turns": turns,
        "outcome": outcome,
        "handoff": {"at": turns[1]["at"], "reasons": reasons or ["out_of_scope"]},
        "faq_ids": faq_ids or [],
        "approved_qa": [{"question": q, "answer": "x", "faq_id": None} for q in approved or []],
    }


def gift_conversations() -> list[dict[str, Any]]:
    return [
        conversation("conv-000001", "Czy pakujecie zamówienia na prezent?", ["Już sprawdzam.", GIFT_ANSWER]),
        conversation(
            "conv-000002",
            "Czy możecie zapakować prezent dla mamy?",
            ["Dzień dobry Pani Anno, nie pakujemy prezentów, przykro mi – ani w sklepach, ani online."],
            name="Anna",
        ),
        conversation(
            "conv-000003",
            "pakujecie prezenty w ozdobny papier?",
            ["Hej Kasiu! Nie, pakowania na prezent nie oferujemy w żadnym kanale sprzedaży. Pozdrawiam, Ola"],
            name="Kasia",
        ),
    ]


def return_conversations() -> list[dict[str, Any]]:
    answer = "Cześć! Zwrot zgłosisz w zakładce Moje zamówienia, a paczkę nadasz bezpłatnie w Paczkomacie."
    return [
        conversation(
            "conv-000011",
            "jak zwrócić zamówiony produkt?",
            [answer],
            faq_ids=["return_howto"],
            reasons=["human_request"],
        ),
        conversation(
            "conv-000012",
            "chcę oddać towar, jak to zrobić?",
            [answer],
            faq_ids=["return_howto"],
            reasons=["human_request"],
        ),
    ]


def test_clean_answer_strips_polish_greeting_introduction_and_signature() -> None:
    assert (
        clean_answer(GIFT_ANSWER, "Marek") == "Niestety nie pakujemy zakupów na prezent – ani online, ani w sklepach."
    )
    assert (
        clean_answer("Dzień dobry Pani Anno,\n\nzwrot   trwa 14 dni.\nPozdrawiam, Anna", "Anna") == "Zwrot trwa 14 dni."
    )
    assert clean_answer("Dawidzie, cześć! Tu Anna. W sklepach nie pakujemy.", "Dawid") == "W sklepach nie pakujemy."
    assert clean_answer("Hej Asiu, tu Anna 🙂 Baterie oddasz w sklepie.", "Joanna") == "Baterie oddasz w sklepie."
    assert clean_answer("Marku, paczka jest w drodze.", "Marek") == "Paczka jest w drodze."


def test_clean_answer_strips_english_greeting_and_signature() -> None:
    assert clean_answer("Hi John,\nwe deliver on business days only.\nRegards, Kuba", "John") == (
        "We deliver on business days only."
    )
    assert (
        clean_answer("Hi Haruto, it's Anna, sorry for the wait. We accept foreign cards.") == "We accept foreign cards."
    )
    assert clean_answer("Hello Marie, this is Ola. We don't gift-wrap.") == "We don't gift-wrap."


def test_clean_answer_keeps_text_without_a_greeting() -> None:
    assert clean_answer('It\'s still "Opłacone", so I can change it.') == 'It\'s still "Opłacone", so I can change it.'
    assert clean_answer("Tak, od umowy możesz odstąpić w 30 dni.") == "Tak, od umowy możesz odstąpić w 30 dni."


def test_extract_pairs_takes_the_handed_off_question_and_the_first_substantial_answer() -> None:
    [pair] = extract_pairs(gift_conversations()[0])
    assert pair == Pair("conv-000001", "pl", "Czy pakujecie zamówienia na prezent?", GIFT_ANSWER, "Marek", ())


def test_extract_pairs_after_a_failed_answer_takes_the_question_the_bot_tried() -> None:
    c = conversation(
        "conv-000020", "czy kurier przywiezie pralkę w sobotę?", [GIFT_ANSWER], reasons=["repeated_question"]
    )
    c["turns"][1:1] = [turn("bot", "Kurier dostarcza w 1-2 dni.", 0), turn("customer", "ale w sobotę czy nie?", 1)]
    assert extract_pairs(c)[0].question == "czy kurier przywiezie pralkę w sobotę?"
    c["handoff"]["reasons"] = ["human_request"]
    assert extract_pairs(c)[0].question == "ale w sobotę czy nie?"


def test_extract_pairs_uses_the_first_moderator_turn_without_a_handoff_time() -> None:
    c = conversation(
        "conv-000021",
        "gdzie jest paczka?",
        ["Paczka wyjechała dziś rano i jutro będzie u Ciebie w domu, kurier zadzwoni."],
    )
    c["handoff"] = None
    c["turns"].insert(1, turn("customer", "halo?", 0))
    assert extract_pairs(c)[0].question == "halo?"


def test_extract_pairs_needs_a_moderator_turn() -> None:
    c = conversation("conv-000022", "ile kosztuje dostawa?", [], outcome="bot_resolved")
    c["handoff"] = None
    assert extract_pairs(c) == []


def test_question_focus_keeps_the_question_sentences() -> None:
    assert (
        question_focus("Dzień dobry. Mam pralkę. Czy kurier przyjedzie w sobotę?") == "Czy kurier przyjedzie w sobotę?"
    )
    assert question_focus("chcę zwrócić lodówkę") == "chcę zwrócić lodówkę"


def test_a_new_question_asked_three_ways_becomes_one_new_entry(brain: Brain) -> None:
    [proposal] = mine(gift_conversations(), brain, similarity=GROUPING, progress=False)
    assert (proposal.kind, proposal.faq_id, proposal.lang, proposal.count) == ("new_entry", None, "pl", 3)
    assert proposal.conversation_ids == ["conv-000001", "conv-000002", "conv-000003"]
    assert proposal.title == "Czy pakujecie zamówienia na prezent?"  # the shortest; ties by text
    assert proposal.answer in {
        "Niestety nie pakujemy zakupów na prezent – ani online, ani w sklepach.",
        "Nie pakujemy prezentów, przykro mi – ani w sklepach, ani online.",
        "Nie, pakowania na prezent nie oferujemy w żadnym kanale sprzedaży.",
    }


def test_questions_about_an_existing_topic_become_its_paraphrases(brain: Brain) -> None:
    proposals = mine(gift_conversations() + return_conversations(), brain, similarity=GROUPING, progress=False)
    assert [(p.kind, p.count) for p in proposals] == [("new_entry", 3), ("paraphrases", 2)]
    paraphrases = proposals[1]
    assert (paraphrases.faq_id, paraphrases.answer, paraphrases.title) == ("return_howto", "", "Jak zwrócić produkt")
    assert sorted(paraphrases.questions) == ["chcę oddać towar, jak to zrobić?", "jak zwrócić zamówiony produkt?"]


def test_a_confident_topic_the_archive_says_does_not_fit_is_a_new_entry(brain: Brain) -> None:
    unfit = [{**c, "faq_ids": []} for c in return_conversations()]
    assert {p.kind for p in mine(unfit, brain, similarity=GROUPING, progress=False)} == {"new_entry"}


def test_approved_questions_and_bot_resolved_conversations_are_skipped(brain: Brain) -> None:
    first, second, third = gift_conversations()
    third = {**third, "outcome": "bot_resolved"}
    approver = conversation("conv-000030", "inne pytanie", [GIFT_ANSWER], approved=["CZY MOZECIE zapakowac prezent"])
    proposals = mine([first, second, third, approver], brain, similarity=GROUPING, progress=False)
    ids = [c for p in proposals for c in p.conversation_ids]
    assert "conv-000001" in ids
    assert "conv-000002" not in ids and "conv-000003" not in ids


def test_ids_are_stable_and_proposals_round_trip_through_json(brain: Brain) -> None:
    first = mine(gift_conversations() + return_conversations(), brain, similarity=GROUPING, progress=False)
    again = mine(
        list(reversed(gift_conversations() + return_conversations())), brain, similarity=GROUPING, progress=False
    )
    assert [p.id for p in first] == [p.id for p in again]
    assert len({p.id for p in first}) == len(first) and all(len(p.id) == 10 for p in first)
    assert [Proposal.from_json(p.to_json()) for p in first] == first


def test_the_derived_threshold_groups_the_paraphrases(brain: Brain) -> None:
    threshold = derive_similarity(brain, Space.fit(index_vectors(brain)))
    assert 0.0 < threshold < 1.0
    proposals = mine(gift_conversations(), brain, progress=False)
    assert [p.count for p in proposals] == [3]


def test_precision_threshold_is_the_lowest_similarity_that_keeps_the_precision() -> None:
    similarities = np.array([0.9, 0.8, 0.7, 0.6, 0.5])
    same = np.array([True, True, False, True, False])
    assert precision_threshold(similarities, same, 0.75) == 0.6
    assert precision_threshold(similarities, same, 1.0) == 0.8
    assert precision_threshold(similarities, ~same, 0.9) == 0.9


def test_group_similar_puts_each_question_in_one_group() -> None:
    vectors = np.array([[1, 0], [0.96, 0.28], [0, 1], [0.28, 0.96], [0.7071, -0.7071]], dtype=np.float32)
    assert group_similar(vectors, 0.9) == [[0, 1], [2, 3], [4]]


def test_a_request_for_a_person_is_not_taken_for_the_question() -> None:
    conversation = {
        "id": "conv-100001", "lang": "pl", "customer": {"display_name": "Ola"}, "faq_ids": [],
        "handoff": {"at": "2026-11-26T10:00:05Z", "reasons": ["human_request"]},
        "turns": [
            {"role": "customer", "text": "Czy organizujecie warsztaty lutowania dla dzieci?",
             "at": "2026-11-26T10:00:00Z"},
            {"role": "bot", "text": "Tu raczej nie pomogę.", "at": "2026-11-26T10:00:01Z"},
            {"role": "customer", "text": "konsultant", "at": "2026-11-26T10:00:04Z"},
            {"role": "bot", "text": "Przekazuję rozmowę konsultantowi.", "at": "2026-11-26T10:00:05Z"},
            {"role": "moderator", "text": "Cześć Olu, tak: raz w miesiącu w sklepie przy Marszałkowskiej, "
             "zapisy na volta.example/warsztaty.\n— Anna", "at": "2026-11-26T10:03:00Z", "author": "Anna"},
        ],
    }
    [pair] = extract_pairs(conversation)
    assert pair.question == "Czy organizujecie warsztaty lutowania dla dzieci?"
    assert pair.answer.startswith("Cześć Olu") and "warsztaty" in pair.answer
