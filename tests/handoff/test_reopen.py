"""Reopening: a handoff soon after a resolution reopens the ticket, later a new one; a moderator reopens
a resolved ticket unless its conversation has another open one (409)."""

from __future__ import annotations

import json
import time

import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient

from bot.core import keys
from handoff.models import Ticket, TicketState
from handoff.outbox import rasa_events
from handoff.reopen import REOPEN_MINUTES, reopenable
from tests.handoff.conftest import SERVICE_TOKEN, Factory, sign_in

SERVICE = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
WEB = "web:00000000-0000-4000-8000-000000000001"


def test_reopenable_only_when_resolved_within_the_window() -> None:
    t = Ticket(id="T1", conversation_id=WEB, channel="webchat", lang="pl", customer_name="", reasons=[],
               evidence=[], state=TicketState.RESOLVED, created_at=0.0, resolved_at=1000.0)
    window = REOPEN_MINUTES * 60
    assert reopenable(t, 1000.0 + window, window) and not reopenable(t, 1001.0 + window, window)
    t.state = TicketState.ASSIGNED
    assert not reopenable(t, 1001.0, window)


async def handoff(client: TestClient, conversation: str = WEB, client_ip: str = "") -> dict[str, object]:
    body = {"conversation_id": conversation, "reasons": ["human_request"], "client_ip": client_ip}
    response = await client.post("/internal/tickets", headers=SERVICE, json=body)
    assert response.status in (200, 201), await response.text()
    result: dict[str, object] = await response.json()
    return result


async def resolved_ticket(aiohttp_client: Factory, app_client: TestClient, conversation: str = WEB) -> str:
    ticket = str((await handoff(app_client, conversation))["ticket"])
    anna = await sign_in(aiohttp_client, app_client, "anna")
    for step in ("claim", "resolve"):
        assert (await anna.call("POST", f"/api/tickets/{ticket}/{step}"))[0] == 200
    return ticket


async def test_a_handoff_within_the_window_reopens_the_ticket_to_its_available_owner(
        aiohttp_client: Factory, app_client: TestClient, redis_url: str) -> None:
    ticket = await resolved_ticket(aiohttp_client, app_client)
    again = await handoff(app_client)
    assert again["ticket"] == ticket and again["reopened"] is True and again["created"] is True
    assert again["handoff"] == {"state": "human", "moderator": "Anna"}  # signed in, no status chosen: available
    anna = await sign_in(aiohttp_client, app_client, "anna")
    status, detail = await anna.call("GET", f"/api/tickets/{ticket}")
    assert status == 200 and detail["ticket"]["state"] == "assigned" and detail["ticket"]["owner"] == "anna"
    assert detail["ticket"]["reopened_at"] and detail["ticket"]["resolved_at"] is None
    assert [h["action"] for h in detail["history"]][-1] == "reopened"
    redis = aioredis.from_url(redis_url, decode_responses=True)
    try:
        assert await redis.get(keys.owner_of_conversation(WEB)) == ticket
        assert await redis.ttl(keys.ticket(ticket)) == -1  # no longer expiring
        assert await redis.sismember(keys.OPEN, ticket)
    finally:
        await redis.aclose()


async def test_an_away_owner_leaves_the_reopened_ticket_in_the_queue(
        aiohttp_client: Factory, app_client: TestClient, redis_url: str) -> None:
    ticket = await resolved_ticket(aiohttp_client, app_client)
    redis = aioredis.from_url(redis_url, decode_responses=True)
    try:
        await redis.zrem(keys.ONLINE, "anna")
        again = await handoff(app_client)
        assert again["reopened"] is True and again["handoff"]["state"] == "queued"  # type: ignore[index]
        assert await redis.zscore(keys.QUEUE, ticket) is not None
        assert await redis.hget(keys.ticket(ticket), "owner") == ""
    finally:
        await redis.aclose()


async def test_after_the_window_a_handoff_makes_a_new_ticket(
        aiohttp_client: Factory, app_client: TestClient, redis_url: str) -> None:
    ticket = await resolved_ticket(aiohttp_client, app_client)
    redis = aioredis.from_url(redis_url, decode_responses=True)
    try:  # resolved longer ago than the window
        await redis.hset(keys.ticket(ticket), "resolved_at", repr(time.time() - REOPEN_MINUTES * 60 - 5))
    finally:
        await redis.aclose()
    again = await handoff(app_client)
    assert again["ticket"] != ticket and again["reopened"] is False and again["created"] is True


async def test_reopening_keeps_the_per_address_cap(
        aiohttp_client: Factory, app_client: TestClient, redis_url: str) -> None:
    ip = "203.0.113.9"
    first = str((await handoff(app_client, WEB, ip))["ticket"])
    anna = await sign_in(aiohttp_client, app_client, "anna")
    for step in ("claim", "resolve"):
        assert (await anna.call("POST", f"/api/tickets/{first}/{step}"))[0] == 200
    redis = aioredis.from_url(redis_url, decode_responses=True)
    try:
        client_set = keys.open_from_ip(await redis.hget(keys.ticket(first), "client_key"))
        await redis.sadd(client_set, *[f"T9{n}" for n in range(50)])  # the address has its share open
        response = await app_client.post("/internal/tickets", headers=SERVICE, json={
            "conversation_id": WEB, "client_ip": ip})
        assert response.status == 429
        assert await redis.hget(keys.ticket(first), "state") == "resolved"
    finally:
        await redis.aclose()


async def test_a_moderator_reopens_a_resolved_ticket_and_the_bot_is_paused(
        aiohttp_client: Factory, app_client: TestClient, redis_url: str) -> None:
    ticket = await resolved_ticket(aiohttp_client, app_client)
    piotr = await sign_in(aiohttp_client, app_client, "piotr")
    status, body = await piotr.call("POST", f"/api/tickets/{ticket}/reopen")
    assert status == 200 and body["state"] == "assigned" and body["owner"] == "anna"
    assert (await piotr.call("POST", f"/api/tickets/{ticket}/reopen"))[0] == 409  # open already
    redis = aioredis.from_url(redis_url, decode_responses=True)
    try:
        entries = await redis.xrange(keys.OUTBOX)
        assert entries[-1][1]["kind"] == "reopened"
        assert json.loads(entries[-1][1]["payload"]) == {"handoff": {"state": "human", "moderator": "Anna"}}
    finally:
        await redis.aclose()


async def test_reopen_is_409_when_the_conversation_has_another_open_ticket(
        aiohttp_client: Factory, app_client: TestClient, redis_url: str) -> None:
    old = await resolved_ticket(aiohttp_client, app_client)
    redis = aioredis.from_url(redis_url, decode_responses=True)
    try:
        await redis.hset(keys.ticket(old), "resolved_at", repr(time.time() - REOPEN_MINUTES * 60 - 5))
        new = str((await handoff(app_client))["ticket"])
        anna = await sign_in(aiohttp_client, app_client, "anna")
        status, body = await anna.call("POST", f"/api/tickets/{old}/reopen")
        assert status == 409 and new in body["error"]
        assert await redis.hget(keys.ticket(old), "state") == "resolved"
        assert (await anna.call("POST", "/api/tickets/T999999/reopen"))[0] == 404
    finally:
        await redis.aclose()


def test_a_moderators_reopening_pauses_the_bot_and_tells_who_joined() -> None:
    joined = rasa_events("reopened", {"handoff": {"state": "human", "moderator": "Anna"}}, "en", "ty", "T1")
    assert joined[0] == {"event": "pause"} and joined[1]["text"].startswith("Anna")
    queued = rasa_events("reopened", {"handoff": {"state": "queued"}}, "pl", "ty", "T1")
    assert [e["event"] for e in queued] == ["pause", "bot"] and queued[1]["text"] is None
