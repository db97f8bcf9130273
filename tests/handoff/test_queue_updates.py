"""Queue-position updates and the ticket caps through the real app: updates go only to the
customers whose place changed, from the notifier task, never holding up a new ticket."""

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import redis.asyncio as aioredis
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.core import keys
from handoff.admission import TicketCaps
from handoff.app import create_app
from handoff.notify import notify_queue
from tests.handoff.conftest import SERVICE_TOKEN, Factory, settings

SERVICE = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
PUSHED = web.AppKey("pushed", list)


def web_id() -> str:
    return f"web:{uuid.uuid4()}"


async def ask(client: TestClient, conversation: str, reasons: list[str], exchanges: int = 1,
              **extra: Any) -> tuple[int, dict[str, Any]]:
    response = await client.post("/internal/tickets", headers=SERVICE, json={
        "conversation_id": conversation, "reasons": reasons, "exchanges": exchanges, **extra})
    return response.status, await response.json()


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        assert time.monotonic() < deadline, "not reached in time"
        await asyncio.sleep(0.02)


async def tracker_events(request: web.Request) -> web.Response:
    request.app[PUSHED].append((request.match_info["conversation_id"], await request.json()))
    return web.json_response({})


@pytest.fixture
async def rasa(aiohttp_server: Any) -> Any:
    """Rasa's HTTP API, recording every push of events."""
    app = web.Application()
    app[PUSHED] = []
    app.router.add_post("/conversations/{conversation_id}/tracker/events", tracker_events)
    return await aiohttp_server(app)


async def test_new_tickets_at_the_end_tell_nobody_a_lifted_one_tells_those_behind_it(
    aiohttp_client: Factory, redis_url: str, redis: aioredis.Redis, rasa: Any,
) -> None:
    app = create_app(settings(redis_url, rasa_url=str(rasa.make_url("")).rstrip("/")))
    client = await aiohttp_client(app)
    pushed: list[tuple[str, Any]] = rasa.app[PUSHED]
    waiting = [web_id() for _ in range(15)]
    for n, conversation in enumerate(waiting, start=1):
        status, body = await ask(client, conversation, ["human_request"])
        assert status == 201 and body["handoff"]["position"] == n
    assert await notify_queue(client.server.app) == 0  # after the notifier's passes: nothing left to tell
    assert pushed == [] and await _empty(redis, keys.OUTBOX)  # 15 at the end: no Rasa call, let alone 15 x 15
    status, body = await ask(client, web_id(), ["legal_threat"], exchanges=2)
    assert status == 201 and body["handoff"]["position"] == 1

    async def all_told() -> bool:
        return len(pushed) >= len(waiting)

    await eventually(all_told)
    assert await notify_queue(client.server.app) == 0
    await eventually(lambda: _empty(redis, keys.OUTBOX))
    told = {conversation: events[0]["data"]["custom"]["handoff"]["position"] for conversation, events in pushed}
    assert len(pushed) == len(waiting) and told == {c: n for n, c in enumerate(waiting, start=2)}


async def _empty(redis: aioredis.Redis, stream: str) -> bool:
    return int(await redis.xlen(stream)) == 0


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.from_url(redis_url, decode_responses=True)
    yield client
    await client.aclose()


async def test_a_ticket_is_opened_while_a_queue_update_is_running(app_client: TestClient,
                                                                  redis: aioredis.Redis) -> None:
    first = web_id()
    assert (await ask(app_client, first, ["human_request"]))[0] == 201
    running = redis.lock(keys.NOTIFY_LOCK, timeout=60)
    assert await running.acquire(blocking_timeout=10)  # a pass holds the lock (on another replica, say)
    status, body = await ask(app_client, web_id(), ["legal_threat"], exchanges=1)
    assert status == 201 and body["handoff"]["position"] == 1  # not held up by the running pass
    assert not await _queue_updates(redis)  # the first customer is told after that pass
    await running.release()

    async def told() -> bool:
        return [(c, s["position"]) for c, s in await _queue_updates(redis)] == [(first, 2)]

    await eventually(told)


async def _queue_updates(redis: aioredis.Redis) -> list[tuple[str, dict[str, Any]]]:
    return [(e["conversation_id"], json.loads(e["payload"])["handoff"])
            for _, e in await redis.xrange(keys.OUTBOX) if e["kind"] == "queue"]


async def test_the_address_cap_is_a_429_and_a_held_back_customer_is_told_a_true_place(
    aiohttp_client: Factory, redis_url: str,
) -> None:
    app = create_app(settings(redis_url, ticket_caps=TicketCaps(new_per_minute=1, max_open_per_client=1)),
                     workers=False)
    client = await aiohttp_client(app)
    assert (await ask(client, web_id(), ["human_request"], exchanges=0, client_ip="203.0.113.1"))[0] == 201
    status, body = await ask(client, web_id(), ["human_request"], exchanges=3, client_ip="203.0.113.1")
    assert status == 429 and "client address" in body["error"]
    status, body = await ask(client, web_id(), ["legal_threat"], exchanges=0, client_ip="198.51.100.2")
    # over the minute's one ticket (or in the next minute): behind the one waiting either way, never before it
    assert status == 201 and body["handoff"]["position"] == 2


@pytest.mark.parametrize(("field", "value"), [("client_ip", "not an address"), ("exchanges", -1),
                                              ("exchanges", "3"), ("client_ip", 12)])
async def test_bad_client_ip_or_exchanges_are_400_naming_the_field(
    app_client: TestClient, redis: aioredis.Redis, field: str, value: object,
) -> None:
    status, body = await ask(app_client, web_id(), ["human_request"], **{field: value})
    assert status == 400 and field in body["error"]
    assert await redis.zcard(keys.QUEUE) == 0 and await redis.zcard(keys.OVERFLOW) == 0
