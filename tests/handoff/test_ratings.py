"""The customer's rating after a resolution: the survey's payloads, the rules, ``POST /internal/ratings``."""

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient
from prometheus_client import CollectorRegistry

from bot.core import keys
from bot.rasa_side.channels.commands import customer_text
from handoff.errors import Conflict, NotFound
from handoff.metrics import render
from handoff.models import Outcome, Ticket, TicketState
from handoff.outbox import rasa_events
from handoff.ratings import (
    MAX_COMMENT_CHARS,
    check_rating,
    clean_comment,
    clean_score,
    rating_payload,
    satisfaction_families,
    summary,
    survey_buttons,
    wants_survey,
)
from tests.handoff.conftest import SERVICE_TOKEN, Console

SERVICE = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
EMPTY = CollectorRegistry()  # the ratings alone, without this process's own metrics
WEB = "web:0b9f3c4e-2d1a-4f6b-9c8d-7e6f5a4b3c2d"
OTHER = "web:1b9f3c4e-2d1a-4f6b-9c8d-7e6f5a4b3c2d"


def ticket(**changes: Any) -> Ticket:
    values: dict[str, Any] = {"id": "T1", "conversation_id": WEB, "channel": "web", "lang": "pl", "customer_name": "",
                              "reasons": [], "evidence": [], "state": TicketState.RESOLVED, "created_at": 1.0,
                              "outcome": Outcome.RESOLVED.value}
    return Ticket(**{**values, **changes})


# -- plain rules ---------------------------------------------------------------------------------


def test_the_survey_is_five_quick_replies_whose_payloads_pass_the_channels() -> None:
    buttons = survey_buttons("T000123")
    assert [b["title"] for b in buttons] == ["1", "2", "3", "4", "5"]
    assert buttons[3]["payload"] == '/rate_conversation{"ticket":"T000123","score":4}'
    assert all(customer_text(b["payload"]) == b["payload"] for b in buttons)  # not turned into text


def test_a_typed_rating_command_of_another_shape_stays_text() -> None:
    for typed in ('/rate_conversation{"ticket":"T1","score":9}', '/rate_conversation{"ticket":"x","score":1}',
                  '/rate_conversation{"ticket":"T1","score":1,"comment":"x"}'):
        assert not customer_text(typed).startswith("/")


def test_the_survey_event_carries_the_line_and_the_buttons() -> None:
    [event] = rasa_events("survey", {"buttons": survey_buttons("T7")}, "pl", "ty", "T7")
    assert event["text"] == "Jak oceniasz rozmowę z nami? 1 – źle, 5 – świetnie"
    assert event["data"]["buttons"][0] == {"title": "1", "payload": rating_payload("T7", 1)}
    [en] = rasa_events("survey", {"buttons": survey_buttons("T7")}, "en", "pan", "T7")
    assert en["text"].startswith("How would you rate")


def test_only_a_private_resolution_asks_for_a_rating() -> None:
    assert wants_survey(ticket())
    assert not wants_survey(ticket(outcome=Outcome.HANDED_BACK.value))
    assert not wants_survey(ticket(in_public=True))


@pytest.mark.parametrize("score", [0, 6, 2.5, "4", True, None, [4]])
def test_a_score_is_an_integer_from_one_to_five(score: Any) -> None:
    with pytest.raises(ValueError, match="score"):
        clean_score(score)
    assert clean_score(1) == 1 and clean_score(5) == 5


def test_a_comment_is_short_text() -> None:
    assert clean_comment(None) == "" and clean_comment("  szybko  ") == "szybko"
    for bad in (5, "x" * (MAX_COMMENT_CHARS + 1)):
        with pytest.raises(ValueError, match="comment"):
            clean_comment(bad)


def test_who_may_rate_and_until_when() -> None:
    check_rating(ticket(), WEB, None, 100.0, 600)
    check_rating(ticket(), WEB, 0.0, 600.0, 600)  # replaced within the window
    with pytest.raises(NotFound):
        check_rating(ticket(), OTHER, None, 100.0, 600)
    with pytest.raises(Conflict, match="not resolved"):
        check_rating(ticket(state=TicketState.ASSIGNED, outcome=""), WEB, None, 100.0, 600)
    with pytest.raises(Conflict, match="already rated"):
        check_rating(ticket(), WEB, 0.0, 601.0, 600)


def test_summary_counts_means_and_distributions_per_channel() -> None:
    result = summary({"web": {4: 2, 5: 1}, "messenger": {1: 1}})
    assert result["count"] == 4 and result["mean"] == 3.5
    assert result["distribution"] == {"1": 1, "2": 0, "3": 0, "4": 2, "5": 1}
    assert result["channels"]["web"]["mean"] == pytest.approx(4.333, abs=0.001)
    text = render(satisfaction_families(result), registry=EMPTY).decode()
    assert 'volta_handoff_satisfaction_ratings{channel="web",score="4"} 2' in text
    assert "volta_handoff_satisfaction_mean 3.5" in text
    assert summary({})["count"] == 0


# -- through the API -----------------------------------------------------------------------------


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.from_url(redis_url, decode_responses=True)
    yield client
    await client.aclose()


@pytest.fixture
async def console(app_client: TestClient) -> Console:
    response = await app_client.post("/login", data={"login": "anna", "password": "correct horse battery"},
                                     allow_redirects=False)
    assert response.status == 302
    me = await (await app_client.get("/api/me")).json()
    return Console(app_client, me["csrf_token"])


async def open_and_close(console: Console, conversation: str = WEB, how: str = "resolve") -> str:
    response = await console.client.post("/internal/tickets", headers=SERVICE,
                                         json={"conversation_id": conversation, "reasons": ["human_request"]})
    ticket_id = (await response.json())["ticket"]
    assert (await console.call("POST", f"/api/tickets/{ticket_id}/claim"))[0] == 200
    assert (await console.call("POST", f"/api/tickets/{ticket_id}/{how}"))[0] == 200
    return str(ticket_id)


async def rate(client: TestClient, body: dict[str, Any], headers: dict[str, str] | None = None) -> tuple[int, Any]:
    response = await client.post("/internal/ratings", headers=SERVICE if headers is None else headers, json=body)
    return response.status, await response.json()


async def survey_entries(redis: aioredis.Redis) -> list[dict[str, str]]:
    return [fields for _, fields in await redis.xrange(keys.OUTBOX) if fields["kind"] == "survey"]


async def test_a_resolution_sends_the_survey_and_a_hand_back_does_not(console: Console,
                                                                      redis: aioredis.Redis) -> None:
    resolved = await open_and_close(console)
    [entry] = await survey_entries(redis)
    assert entry["ticket"] == resolved and json.loads(entry["payload"])["buttons"] == survey_buttons(resolved)
    await open_and_close(console, OTHER, "handback")
    assert len(await survey_entries(redis)) == 1


async def test_a_rating_and_then_a_comment_are_kept_on_the_ticket_and_counted(
        console: Console, redis: aioredis.Redis) -> None:
    ticket_id = await open_and_close(console)
    assert await rate(console.client, {"conversation_id": WEB, "ticket": ticket_id, "score": 2}) == (
        200, {"ticket": ticket_id, "rating": 2, "rating_comment": ""})
    status, body = await rate(console.client, {"conversation_id": WEB, "ticket": ticket_id, "score": 4,
                                               "comment": "Szybko i konkretnie"})
    assert status == 200 and body["rating"] == 4
    status, detail = await console.call("GET", f"/api/tickets/{ticket_id}")
    assert status == 200 and detail["ticket"]["rating"] == 4
    assert detail["ticket"]["rating_comment"] == "Szybko i konkretnie"
    assert await redis.hgetall(keys.RATING_COUNTS) == {"webchat:2": "0", "webchat:4": "1"}
    assert [e["score"] for _, e in await redis.xrange(keys.RATINGS)] == ["2", "4"]
    status, stats = await console.call("GET", "/api/stats")
    assert status == 200 and stats["satisfaction"]["count"] == 1 and stats["satisfaction"]["mean"] == 4
    metrics = await (await console.client.get("/metrics", headers=SERVICE)).text()
    assert 'volta_handoff_satisfaction_ratings{channel="webchat",score="4"} 1' in metrics


async def test_after_the_window_the_rating_is_final(console: Console, redis: aioredis.Redis) -> None:
    ticket_id = await open_and_close(console)
    assert (await rate(console.client, {"conversation_id": WEB, "ticket": ticket_id, "score": 5}))[0] == 200
    await redis.set(keys.rated(ticket_id), str(time.time() - 11 * 60))  # rated 11 minutes ago
    status, body = await rate(console.client, {"conversation_id": WEB, "ticket": ticket_id, "score": 1})
    assert status == 409 and "already rated" in body["error"]
    assert (await redis.hgetall(keys.ticket(ticket_id)))["rating"] == "5"


async def test_refused_ratings_change_nothing(console: Console, redis: aioredis.Redis) -> None:
    ticket_id = await open_and_close(console)
    response = await console.client.post("/internal/tickets", headers=SERVICE,
                                         json={"conversation_id": OTHER, "reasons": ["human_request"]})
    open_id = (await response.json())["ticket"]
    before = {k: await redis.hgetall(k) for k in (keys.ticket(ticket_id), keys.ticket(open_id))}
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"conversation_id": WEB, "ticket": ticket_id, "score": 6}, 400, "score"),
        ({"conversation_id": WEB, "ticket": ticket_id, "score": "4"}, 400, "score"),
        ({"conversation_id": WEB, "ticket": ticket_id, "score": 4, "comment": 7}, 400, "comment"),
        ({"conversation_id": WEB, "ticket": "T1:notes", "score": 4}, 400, "ticket"),
        ({"conversation_id": "web:1", "ticket": ticket_id, "score": 4}, 400, "conversation_id"),
        ({"conversation_id": OTHER, "ticket": ticket_id, "score": 4}, 404, "not found"),
        ({"conversation_id": WEB, "ticket": "T999999", "score": 4}, 404, "not found"),
        ({"conversation_id": OTHER, "ticket": open_id, "score": 4}, 409, "not resolved"),
    ]
    for body, status, word in cases:
        got, answer = await rate(console.client, body)
        assert got == status and word in answer["error"], (body, answer)
    assert (await rate(console.client, {"conversation_id": WEB, "ticket": ticket_id, "score": 4}, {}))[0] == 401
    assert {k: await redis.hgetall(k) for k in before} == before
    assert await redis.exists(keys.RATINGS, keys.RATING_COUNTS, keys.rated(ticket_id)) == 0
