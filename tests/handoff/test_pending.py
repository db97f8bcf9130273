"""Pending with a promised time (issue 16, part C): the decisions, and the flow through the real app
and Redis (workers off; the promised time comes through an injected clock, never a sleep)."""

from __future__ import annotations

import json
import math
import time
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient

from bot.core import keys
from handoff.appkeys import TICKETS
from handoff.outbox import rasa_events
from handoff.pending import default_message, parse_until, promised_time
from handoff.pending_loop import pending_step
from handoff.pending_store import PendingTickets
from tests.handoff.conftest import Factory, sign_in
from tests.handoff.test_api import open_ticket

WARSAW = ZoneInfo("Europe/Warsaw")
FRIDAY_NOON = datetime(2026, 12, 4, 12, 0, tzinfo=WARSAW).timestamp()


def warsaw(*args: int) -> float:
    return datetime(*args, tzinfo=WARSAW).timestamp()


@pytest.mark.parametrize(("value", "error"), [
    ("tomorrow", "pending_until must be a number"), (True, "pending_until must be a number"),
    (None, "pending_until must be a number"), (math.nan, "pending_until must be a number"),
    (FRIDAY_NOON - 1, "pending_until must be in the future"), (FRIDAY_NOON, "pending_until must be in the future"),
    (FRIDAY_NOON + 15 * 86400, "at most 14 days ahead"),
])
def test_a_promised_time_must_be_a_number_in_the_future_and_near(value: Any, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        parse_until(value, FRIDAY_NOON, 14)


def test_a_promised_time_within_the_limit_is_taken() -> None:
    assert parse_until(FRIDAY_NOON + 3600, FRIDAY_NOON, 14) == FRIDAY_NOON + 3600
    assert parse_until(int(FRIDAY_NOON) + 14 * 86400, FRIDAY_NOON, 14) == int(FRIDAY_NOON) + 14 * 86400


@pytest.mark.parametrize(("until", "lang", "expected"), [
    (warsaw(2026, 12, 4, 15, 30), "pl", "15:30"),
    (warsaw(2026, 12, 5, 10, 0), "pl", "jutra 10:00"),
    (warsaw(2026, 12, 7, 10, 0), "pl", "poniedziałku 10:00"),
    (warsaw(2026, 12, 9, 9, 5), "pl", "środy 09:05"),
    (warsaw(2026, 12, 14, 10, 0), "pl", "14.12 10:00"),
    (warsaw(2026, 12, 5, 10, 0), "en", "tomorrow 10:00"),
    (warsaw(2026, 12, 7, 10, 0), "en", "Monday 10:00"),
    (warsaw(2026, 12, 14, 10, 0), "en", "14 December 10:00"),
])
def test_the_promise_is_told_in_the_brands_time_zone(until: float, lang: str, expected: str) -> None:
    assert promised_time(until, FRIDAY_NOON, WARSAW, lang) == expected


def test_the_time_zone_is_the_brands_not_the_servers_and_follows_summer_time() -> None:
    summer_now = datetime.fromisoformat("2026-07-03T10:00:00+00:00").timestamp()  # Friday
    until = datetime.fromisoformat("2026-07-06T08:00:00+00:00").timestamp()  # Monday 10:00 in Warsaw (UTC+2)
    assert promised_time(until, summer_now, WARSAW, "pl") == "poniedziałku 10:00"
    late = datetime.fromisoformat("2026-12-04T23:30:00+00:00").timestamp()  # already Saturday 00:30 in Warsaw
    assert promised_time(late, FRIDAY_NOON, WARSAW, "pl") == "jutra 00:30"


def test_the_prefilled_message_per_language_and_register() -> None:
    monday = warsaw(2026, 12, 7, 10, 0)
    assert default_message(monday, FRIDAY_NOON, WARSAW, "pl", "ty") == (
        "Sprawdzę to u osoby odpowiedzialnej i wrócę do Ciebie do poniedziałku 10:00.")
    assert "wrócę do Pana/Pani do poniedziałku 10:00." in default_message(monday, FRIDAY_NOON, WARSAW, "pl", "pan")
    assert default_message(monday, FRIDAY_NOON, WARSAW, "en", "ty").endswith("get back to you by Monday 10:00.")


def test_the_pending_message_reaches_the_customer_signed() -> None:
    events = rasa_events("pending", {"text": "Wrócę do 10:00.", "moderator": "anna", "moderator_name": "Anna",
                                     "pending_until": 1.0}, "pl", "ty", "T1")
    assert events == [{"event": "bot", "text": "Wrócę do 10:00.\n— Anna",
                       "metadata": {"moderator": "anna", "ticket": "T1", "pending_until": 1.0}}]


async def _claimed(app_client: TestClient, aiohttp_client: Factory) -> tuple[Any, str]:
    anna = await sign_in(aiohttp_client, app_client, "anna")
    ticket = await open_ticket(app_client)
    assert (await anna.call("POST", f"/api/tickets/{ticket}/claim"))[0] == 200
    return anna, ticket


async def _outbox(redis_url: str, kind: str) -> list[dict[str, Any]]:
    redis = aioredis.from_url(redis_url, decode_responses=True)
    entries = await redis.xrange(keys.OUTBOX)
    await redis.aclose()
    return [json.loads(f["payload"]) for _, f in entries if f["kind"] == kind]


async def _row(anna: Any, ticket: str) -> dict[str, Any]:
    status, body = await anna.call("GET", "/api/queue")
    assert status == 200
    return next(t for t in body["tickets"] if t["id"] == ticket)


async def test_pending_tells_the_customer_and_comes_due_first_in_the_owners_list(
        app_client: TestClient, aiohttp_client: Factory, redis_url: str) -> None:
    anna, ticket = await _claimed(app_client, aiohttp_client)
    until = time.time() + 60
    status, body = await anna.call("POST", f"/api/tickets/{ticket}/pending", {"pending_until": until})
    assert status == 200 and body["pending_until"] == until and body["state"] == "assigned"
    [sent] = await _outbox(redis_url, "pending")
    assert sent["text"].startswith("Sprawdzę to u osoby odpowiedzialnej i wrócę do Ciebie do ")
    assert sent["moderator_name"] == "Anna" and sent["pending_until"] == until
    assert (await _row(anna, ticket))["due"] is False

    app = app_client.server.app
    assert await PendingTickets(app[TICKETS]).come_due(now=until - 1) == []
    assert (await _row(anna, ticket))["due"] is False
    assert await pending_step(app, now=until + 1) == []  # Anna's console was seen just now: she keeps it
    row = await _row(anna, ticket)
    assert row["due"] is True and row["state"] == "assigned" and row["owner"] == "anna"
    assert [e["action"] for e in (await anna.call("GET", f"/api/tickets/{ticket}"))[1]["history"]][-1] == "pending_due"

    assert (await anna.call("POST", f"/api/tickets/{ticket}/reply", {"text": "Już wiem."}))[0] == 200
    row = await _row(anna, ticket)
    assert row["due"] is False and row["pending_until"] is None
    redis = aioredis.from_url(redis_url, decode_responses=True)
    assert await redis.zcard(keys.PENDING) == 0 and await redis.scard(keys.DUE) == 0
    await redis.aclose()


async def test_a_due_ticket_of_an_away_owner_goes_back_to_the_queue(
        app_client: TestClient, aiohttp_client: Factory, redis_url: str) -> None:
    anna, ticket = await _claimed(app_client, aiohttp_client)
    until = time.time() + 3600  # an hour on, Anna's console has not been seen for an hour: away
    assert (await anna.call("POST", f"/api/tickets/{ticket}/pending", {"pending_until": until}))[0] == 200
    assert await pending_step(app_client.server.app, now=until + 1) == [ticket]
    row = await _row(anna, ticket)
    assert row["state"] == "queued" and row["owner"] == "" and row["due"] is True and row["position"] == 1
    piotr = await sign_in(aiohttp_client, app_client, "piotr")
    status, body = await piotr.call("POST", f"/api/tickets/{ticket}/claim")
    assert status == 200 and body["pending_until"] is None
    assert (await _row(piotr, ticket))["due"] is False


async def test_resume_clears_pending_before_the_time(app_client: TestClient, aiohttp_client: Factory,
                                                      redis_url: str) -> None:
    anna, ticket = await _claimed(app_client, aiohttp_client)
    until = time.time() + 60
    assert (await anna.call("POST", f"/api/tickets/{ticket}/pending", {"pending_until": until}))[0] == 200
    status, body = await anna.call("POST", f"/api/tickets/{ticket}/resume")
    assert status == 200 and body["pending_until"] is None and body["pending_message"] == ""
    assert await pending_step(app_client.server.app, now=until + 1) == []
    assert (await _row(anna, ticket))["due"] is False
    status, body = await anna.call("POST", f"/api/tickets/{ticket}/resume")
    assert status == 409 and "not pending" in body["error"]


@pytest.mark.parametrize(("body", "field"), [
    ({"pending_until": 1000}, "pending_until must be in the future"),
    ({"pending_until": "jutro 10:00"}, "pending_until must be a number"),
    ({}, "pending_until must be a number"),
    ({"pending_until": 4e9 * 10}, "at most 14 days ahead"),
    ({"pending_until": "FUTURE", "message": ""}, "message must be a non-empty string"),
])
async def test_bad_pending_requests_are_400_naming_the_field_and_change_nothing(
        app_client: TestClient, aiohttp_client: Factory, redis_url: str, body: dict[str, Any], field: str) -> None:
    anna, ticket = await _claimed(app_client, aiohttp_client)
    if body.get("pending_until") == "FUTURE":
        body = {**body, "pending_until": time.time() + 60}
    status, answer = await anna.call("POST", f"/api/tickets/{ticket}/pending", body)
    assert status == 400 and field in answer["error"]
    assert (await _row(anna, ticket))["pending_until"] is None and await _outbox(redis_url, "pending") == []


async def test_only_the_owner_of_a_claimed_ticket_marks_it_pending(
        app_client: TestClient, aiohttp_client: Factory, redis_url: str) -> None:
    waiting = await open_ticket(app_client, "web:00000000-0000-4000-8000-000000000009")
    anna, ticket = await _claimed(app_client, aiohttp_client)
    piotr = await sign_in(aiohttp_client, app_client, "piotr")
    until = time.time() + 60
    assert (await piotr.call("POST", f"/api/tickets/{ticket}/pending", {"pending_until": until}))[0] == 403
    assert (await anna.call("POST", f"/api/tickets/{waiting}/pending", {"pending_until": until}))[0] == 409
    assert (await anna.call("POST", "/api/tickets/T999/pending", {"pending_until": until}))[0] == 404
    assert await _outbox(redis_url, "pending") == []


async def test_the_console_gets_the_prefilled_promise(app_client: TestClient, aiohttp_client: Factory) -> None:
    anna, ticket = await _claimed(app_client, aiohttp_client)
    until = time.time() + 600
    status, body = await anna.call("GET", f"/api/tickets/{ticket}/pending/message?pending_until={until}")
    assert status == 200 and body["message"].startswith("Sprawdzę to u osoby odpowiedzialnej i wrócę do Ciebie do ")
    status, body = await anna.call("GET", f"/api/tickets/{ticket}/pending/message?pending_until=soon")
    assert status == 400 and "pending_until" in body["error"]


async def test_one_pass_at_a_time(app_client: TestClient, redis_url: str) -> None:
    redis = aioredis.from_url(redis_url, decode_responses=True)
    await redis.set(keys.PENDING_LOCK, "another replica", ex=30)
    assert await pending_step(app_client.server.app, now=time.time()) is None
    await redis.aclose()
