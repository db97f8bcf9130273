"""The reviewers' report of customers' ratings of FAQ answers (handoff/answer_ratings.py,
``GET /api/admin/answer_ratings``), fed by the widget channel's writer (real Redis, the real app)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient

from bot.core.keys import MessengerKeys, TrackerKeys
from bot.core.redis_config import RedisConfig
from bot.rasa_side.channels.answer_ratings import AnswerRatings as Writer
from handoff.answer_ratings import Rating, tally
from handoff.erasure import Erasure
from tests.handoff.conftest import Factory, sign_in

REPORT = "/api/admin/answer_ratings"
FIRST, SECOND = "web:11111111-1111-4111-8111-111111111111", "web:22222222-2222-4222-8222-222222222222"


def conversation(question: str, faq_id: str) -> list[dict[str, Any]]:
    return [{"event": "user", "timestamp": 1.0, "text": question},
            {"event": "bot", "timestamp": 1.5, "text": "Odpowiedź.", "metadata": {"bot_decision": "answer",
                                                                                 "bot_faq_id": faq_id}},
            {"event": "user", "timestamp": 2.0, "text": "a inne pytanie"},
            {"event": "bot", "timestamp": 2.5, "text": "Inna.", "metadata": {"bot_decision": "answer",
                                                                            "bot_faq_id": "returns"}}]


async def rated(redis_url: str) -> None:
    """Two conversations: delivery_cost rated not helpful in both, returns helpful once."""
    client = aioredis.from_url(redis_url, decode_responses=True)
    writer = Writer(RedisConfig.from_url(redis_url), "bot")
    for cid, question in ((FIRST, "ile kosztuje dostawa, \"kurierem\"?"), (SECOND, "czy dostawa jest płatna")):
        await client.rpush(TrackerKeys().events(cid), *(json.dumps(e) for e in conversation(question, "delivery_cost")))
    await writer.rate(FIRST, {"id": 1.5, "helpful": False}, now=100.0)
    await writer.rate(SECOND, {"id": 1.5, "helpful": False}, now=200.0)
    await writer.rate(SECOND, {"id": 2.5, "helpful": True}, now=201.0)
    await writer.close()
    await client.aclose()


def test_tally_counts_per_entry_in_the_window_most_unhelpful_first() -> None:
    ratings = [Rating("a", "x", True, 10.0, 0), Rating("a", "y", False, 11.0, 0), Rating("b", "y", False, 12.0, 2),
               Rating("c", "x", False, 5.0, 0)]
    assert [e.to_json() for e in tally(ratings)] == [
        {"faq_id": "y", "helpful": 0, "not_helpful": 2, "helpful_share": 0.0},
        {"faq_id": "x", "helpful": 1, "not_helpful": 1, "helpful_share": 0.5}]
    assert [r.conversation for r in tally(ratings)[0].unhelpful] == ["b", "a"]  # newest first
    assert [e.to_json() for e in tally(ratings, since=10.0)][1] == {
        "faq_id": "x", "helpful": 1, "not_helpful": 0, "helpful_share": 1.0}


async def test_admins_see_the_least_helpful_answers_with_the_questions_that_got_them(
        aiohttp_client: Factory, app_client: TestClient, redis_url: str) -> None:
    ola = await sign_in(aiohttp_client, app_client, "ola")
    assert await ola.call("GET", REPORT) == (200, {"entries": []})
    await rated(redis_url)
    status, body = await ola.call("GET", REPORT)
    assert status == 200
    assert body == {"entries": [{"faq_id": "delivery_cost", "helpful": 0, "not_helpful": 2, "helpful_share": 0.0,
                                 "examples": ["czy dostawa jest płatna", "ile kosztuje dostawa, \"kurierem\"?"]}]}
    anna = await sign_in(aiohttp_client, app_client, "anna")
    assert (await anna.call("GET", REPORT))[0] == 403  # moderators do not review the FAQ


async def test_an_erased_conversation_leaves_no_rating_and_no_example(
        aiohttp_client: Factory, app_client: TestClient, redis_url: str, tmp_path: Path) -> None:
    await rated(redis_url)
    client = aioredis.from_url(redis_url, decode_responses=True)
    erasure = Erasure(client, TrackerKeys(), MessengerKeys(), tmp_path / "a", tmp_path / "b", tmp_path / "p.json")
    erased = await erasure.erase(FIRST)
    left = [f["conversation"] for _, f in await client.xrange(TrackerKeys().answer_ratings)]
    assert erased["answer_ratings"] == 1 and left == [SECOND, SECOND]
    assert not await client.exists(TrackerKeys().answers_rated(FIRST))
    await client.aclose()
    ola = await sign_in(aiohttp_client, app_client, "ola")
    entries = (await ola.call("GET", REPORT))[1]["entries"]
    assert [(e["not_helpful"], e["examples"]) for e in entries] == [(1, ["czy dostawa jest płatna"])]
