"""The console's typing route (K5) and the refusal of replies past Messenger's 7-day window."""

from __future__ import annotations

import json
import time

import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient

from bot.core import keys
from tests.handoff.conftest import Factory, sign_in
from tests.handoff.test_api import open_ticket

MESSENGER = "messenger:5550001234"
PSID = MESSENGER.split(":", 1)[1]


async def claimed(aiohttp_client: Factory, app_client: TestClient, conversation: str) -> str:
    ticket = await open_ticket(app_client, conversation)
    anna = await sign_in(aiohttp_client, app_client, "anna")
    assert (await anna.call("POST", f"/api/tickets/{ticket}/claim"))[0] == 200
    return ticket


async def next_message(pubsub: aioredis.client.PubSub, deadline_seconds: float = 5) -> dict[str, str] | None:
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.5)
        if message:
            return json.loads(message["data"])  # type: ignore[no-any-return]
    return None


async def test_the_owner_typing_is_published_at_most_once_in_a_few_seconds(
        aiohttp_client: Factory, app_client: TestClient, redis_url: str) -> None:
    ticket = await claimed(aiohttp_client, app_client, MESSENGER)
    anna = await sign_in(aiohttp_client, app_client, "anna")
    redis = aioredis.from_url(redis_url, decode_responses=True)
    pubsub = redis.pubsub()
    await pubsub.subscribe(keys.TYPING)
    try:
        first = await anna.call("POST", f"/api/tickets/{ticket}/typing")
        second = await anna.call("POST", f"/api/tickets/{ticket}/typing")
        assert first == (202, {"published": True}) and second == (202, {"published": False})
        assert await next_message(pubsub) == {"conversation_id": MESSENGER}
        assert await next_message(pubsub, 0.5) is None  # the second call published nothing
    finally:
        await pubsub.aclose()
        await redis.aclose()


async def test_only_the_owner_of_a_claimed_ticket_may_type(aiohttp_client: Factory, app_client: TestClient) -> None:
    waiting = await open_ticket(app_client, MESSENGER)
    piotr = await sign_in(aiohttp_client, app_client, "piotr")
    assert (await piotr.call("POST", f"/api/tickets/{waiting}/typing"))[0] == 409  # not claimed yet
    anna = await sign_in(aiohttp_client, app_client, "anna")
    await anna.call("POST", f"/api/tickets/{waiting}/claim")
    status, body = await piotr.call("POST", f"/api/tickets/{waiting}/typing")
    assert status == 403 and "belongs to Anna" in body["error"]
    assert (await anna.call("POST", "/api/tickets/T999999/typing"))[0] == 404


async def set_last_in(redis_url: str, seconds_ago: float) -> None:
    redis = aioredis.from_url(redis_url, decode_responses=True)
    try:
        await redis.set(keys.MessengerKeys().last_in(PSID), repr(time.time() - seconds_ago))
    finally:
        await redis.aclose()


async def outbox_length(redis_url: str) -> int:
    redis = aioredis.from_url(redis_url, decode_responses=True)
    try:
        return int(await redis.xlen(keys.OUTBOX))
    finally:
        await redis.aclose()


async def test_a_reply_after_seven_days_is_refused_naming_the_window(
        aiohttp_client: Factory, app_client: TestClient, redis_url: str) -> None:
    ticket = await claimed(aiohttp_client, app_client, MESSENGER)
    anna = await sign_in(aiohttp_client, app_client, "anna")
    await set_last_in(redis_url, 8 * 24 * 3600)
    before = await outbox_length(redis_url)
    status, body = await anna.call("POST", f"/api/tickets/{ticket}/reply", {"text": "Dzień dobry"})
    assert status == 409 and "7-day window" in body["error"] and ticket in body["error"]
    assert await outbox_length(redis_url) == before  # nothing queued for the customer


async def test_a_reply_within_seven_days_is_accepted(aiohttp_client: Factory, app_client: TestClient,
                                                     redis_url: str) -> None:
    ticket = await claimed(aiohttp_client, app_client, MESSENGER)
    anna = await sign_in(aiohttp_client, app_client, "anna")
    await set_last_in(redis_url, 6 * 24 * 3600)
    before = await outbox_length(redis_url)
    assert (await anna.call("POST", f"/api/tickets/{ticket}/reply", {"text": "Dzień dobry"}))[0] == 200
    assert await outbox_length(redis_url) == before + 1


async def test_the_window_applies_to_messenger_only(aiohttp_client: Factory, app_client: TestClient) -> None:
    ticket = await claimed(aiohttp_client, app_client, "web:00000000-0000-4000-8000-000000000003")
    anna = await sign_in(aiohttp_client, app_client, "anna")
    assert (await anna.call("POST", f"/api/tickets/{ticket}/reply", {"text": "Dzień dobry"}))[0] == 200


async def test_the_ticket_shows_the_messenger_window_before_a_reply_is_tried(
        aiohttp_client: Factory, app_client: TestClient, redis_url: str) -> None:
    ticket = await claimed(aiohttp_client, app_client, MESSENGER)
    anna = await sign_in(aiohttp_client, app_client, "anna")
    for seconds_ago, state in ((3600, "standard"), (25 * 3600, "human_agent"), (8 * 24 * 3600, "closed")):
        await set_last_in(redis_url, seconds_ago)
        status, detail = await anna.call("GET", f"/api/tickets/{ticket}")
        window = detail["reply_window"]
        assert status == 200 and window["state"] == state
        assert window["human_agent_until"] - window["customer_wrote_at"] == 7 * 24 * 3600


async def test_other_channels_have_no_messenger_window(aiohttp_client: Factory, app_client: TestClient) -> None:
    ticket = await claimed(aiohttp_client, app_client, "web:00000000-0000-4000-8000-000000000004")
    anna = await sign_in(aiohttp_client, app_client, "anna")
    status, detail = await anna.call("GET", f"/api/tickets/{ticket}")
    assert status == 200 and detail["reply_window"] is None
