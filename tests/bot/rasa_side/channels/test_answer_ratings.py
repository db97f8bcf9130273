"""Customers' ratings of FAQ answers in the widget (bot/rasa_side/channels/answer_ratings.py)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.asyncio as aioredis

from bot.core.keys import TrackerKeys
from bot.core.redis_config import RedisConfig
from bot.rasa_side.channels.answer_ratings import AnswerRatings, RatingError, check_request, find_answer
from bot.rasa_side.channels.catch_up import widget_payload

CONVERSATION = "web:7f1c1c52-8d5e-4e0e-9d55-0d2b3b1b0c11"


def user(ts: float, text: str) -> dict[str, Any]:
    return {"event": "user", "timestamp": ts, "text": text, "metadata": {}}


def answer(ts: float, faq_id: str = "delivery_cost") -> dict[str, Any]:
    return {"event": "bot", "timestamp": ts, "text": "Dostawa kosztuje 9,99 zł.",
            "metadata": {"bot_decision": "answer", "bot_faq_id": faq_id}}


def clarify(ts: float) -> dict[str, Any]:
    return {"event": "bot", "timestamp": ts, "text": "Chodzi o dostawę czy zwrot?",
            "metadata": {"bot_decision": "clarify", "bot_faq_id": None}}


EVENTS = [user(1.0, "ile kosztuje dostawa"), {"event": "action", "timestamp": 1.1}, answer(1.2),
          user(2.0, "a zwrot?"), clarify(2.1), answer(3.0, "returns")]


def test_only_faq_answers_are_offered_for_rating() -> None:
    assert widget_payload({"timestamp": 1.2, "text": "x", "bot_decision": "answer", "bot_faq_id": "a"}) == {
        "id": 1.2, "text": "x", "rateable": True}
    assert "rateable" not in (widget_payload({"timestamp": 1.2, "text": "x", "bot_decision": "clarify"}) or {})
    assert "rateable" not in (widget_payload({"timestamp": 1.2, "text": "x", "moderator": "anna"}) or {})


def test_the_answer_is_found_with_the_customer_message_before_it() -> None:
    assert find_answer(EVENTS, 1.2, 0).faq_id == "delivery_cost"
    assert find_answer(EVENTS, 1.2, 40).question_index == 40  # positions count from the list's start
    later = find_answer(EVENTS, 3.0, 0)
    assert (later.faq_id, later.question_index) == ("returns", 3)  # the customer's message before it
    assert find_answer([answer(5.0)], 5.0, 7).question_index == -1


@pytest.mark.parametrize(("answer_id", "code"), [(2.1, "not_an_answer"), (2.0, "bad_id"), (9.9, "bad_id")])
def test_what_is_no_faq_answer_of_the_conversation_is_refused(answer_id: float, code: str) -> None:
    with pytest.raises(RatingError) as refused:
        find_answer(EVENTS, answer_id, 0)
    assert refused.value.code == code


@pytest.mark.parametrize(("data", "code"), [
    (None, "bad_id"), ("x", "bad_id"), ({"helpful": True}, "bad_id"), ({"id": "1.2", "helpful": True}, "bad_id"),
    ({"id": True, "helpful": True}, "bad_id"), ({"id": 1.2}, "bad_helpful"), ({"id": 1.2, "helpful": "yes"},
                                                                               "bad_helpful"),
    ({"id": 1.2, "helpful": 1}, "bad_helpful"),
])
def test_a_bad_request_names_its_field(data: Any, code: str) -> None:
    with pytest.raises(RatingError) as refused:
        check_request(data)
    assert refused.value.code == code


@pytest.fixture
async def stored(redis_url: str) -> AsyncIterator[tuple[AnswerRatings, aioredis.Redis]]:
    client = aioredis.from_url(redis_url, decode_responses=True)
    await client.rpush(TrackerKeys().events(CONVERSATION), *(json.dumps(e) for e in EVENTS))
    ratings = AnswerRatings(RedisConfig.from_url(redis_url), "bot")
    yield ratings, client
    await ratings.close()
    await client.aclose()


async def test_a_rating_is_stored_once_per_answer(stored: tuple[AnswerRatings, aioredis.Redis]) -> None:
    ratings, client = stored
    await ratings.rate(CONVERSATION, {"id": 3.0, "helpful": False}, now=100.0)
    with pytest.raises(RatingError) as twice:
        await ratings.rate(CONVERSATION, {"id": 3.0, "helpful": True})
    await ratings.rate(CONVERSATION, {"id": 1.2, "helpful": True}, now=101.0)
    entries = [fields for _, fields in await client.xrange(TrackerKeys().answer_ratings)]
    assert twice.value.code == "already_rated"
    assert entries == [
        {"conversation": CONVERSATION, "faq_id": "returns", "helpful": "0", "at": "100.0", "answer_id": "3.0",
         "question_index": "3"},
        {"conversation": CONVERSATION, "faq_id": "delivery_cost", "helpful": "1", "at": "101.0", "answer_id": "1.2",
         "question_index": "0"},
    ]
    assert await client.ttl(TrackerKeys().answers_rated(CONVERSATION)) > 0


async def test_another_conversation_cannot_rate_an_answer_it_did_not_get(
    stored: tuple[AnswerRatings, aioredis.Redis],
) -> None:
    ratings, client = stored
    with pytest.raises(RatingError) as refused:
        await ratings.rate("web:00000000-0000-4000-8000-000000000000", {"id": 3.0, "helpful": False})
    assert refused.value.code == "bad_id"
    assert await client.xlen(TrackerKeys().answer_ratings) == 0
