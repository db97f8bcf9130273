"""The channels' rate limits (bot/rasa_side/limits.py) against the session's redis-server."""

from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from bot.core.keys import TrackerKeys
from bot.rasa_side.limits import HOUR, MINUTE, RateLimits
from bot.rasa_side.settings import Limits

T0 = 1_800_000_000.0  # a window boundary for minutes and hours
LIMITS = Limits(conversation_per_minute=3, ip_per_minute=5, new_conversations_per_ip_per_hour=2, psid_per_minute=2)


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    c = aioredis.from_url(redis_url)
    yield c
    await c.aclose()


async def test_a_conversation_gets_its_messages_a_minute_then_429_until_the_window_ends(
        client: aioredis.Redis) -> None:
    limits = RateLimits(client, LIMITS)
    assert [await limits.message("1.2.3.4", "c1", now=T0 + i) for i in range(3)] == [None] * 3
    refusal = await limits.message("1.2.3.4", "c1", now=T0 + 10)
    assert refusal is not None and refusal.code == "conversation_rate" and refusal.retry_after == 50
    assert await limits.message("1.2.3.4", "c2", now=T0 + 10) is None  # another conversation is not held up
    assert await limits.message("1.2.3.4", "c1", now=T0 + MINUTE) is None  # the next window


async def test_an_ip_is_limited_across_its_conversations_and_across_servers(client: aioredis.Redis) -> None:
    server_a, server_b = RateLimits(client, LIMITS), RateLimits(client, LIMITS)
    for i in range(5):
        assert await (server_a, server_b)[i % 2].message("1.2.3.4", f"c{i}", now=T0) is None
    refusal = await server_b.message("1.2.3.4", "c9", now=T0 + 59.5)
    assert refusal is not None and refusal.code == "ip_rate" and refusal.retry_after == 1
    assert await server_a.message("5.6.7.8", "c9", now=T0) is None  # another client


async def test_a_refused_message_counts_nowhere(client: aioredis.Redis) -> None:
    limits = RateLimits(client, LIMITS)
    for i in range(5):
        await limits.message("1.2.3.4", f"c{i}", now=T0)
    assert (await limits.message("1.2.3.4", "c0", now=T0)) is not None  # the IP is full
    assert await client.get("bot:limit:conversation_rate:c0:" + str(int(T0 // MINUTE))) == b"1"


async def test_new_conversations_per_ip_are_capped_and_old_ones_are_not_new(client: aioredis.Redis) -> None:
    limits = RateLimits(client, LIMITS)
    await client.rpush(TrackerKeys().events("old"), "{}")  # a conversation that has events already
    assert await limits.opening("1.2.3.4", "old", now=T0) is None
    assert await limits.opening("1.2.3.4", "n1", now=T0) is None
    assert await limits.opening("1.2.3.4", "n1", now=T0 + 1) is None  # the same one again (a reconnect)
    assert await limits.message("1.2.3.4", "n2", may_open=True, now=T0 + 2) is None
    refusal = await limits.opening("1.2.3.4", "n3", now=T0 + 3)
    assert refusal is not None and refusal.code == "new_conversations" and refusal.retry_after == HOUR - 3
    refusal = await limits.message("1.2.3.4", "n3", may_open=True, now=T0 + 3)
    assert refusal is not None and refusal.code == "new_conversations"
    assert await limits.message("1.2.3.4", "n2", may_open=True, now=T0 + 4) is None  # opened already
    assert await limits.opening("5.6.7.8", "n3", now=T0 + 3) is None  # another client
    assert await limits.opening("1.2.3.4", "n4", now=T0 + HOUR) is None  # the next hour


async def test_a_messenger_customer_is_limited_and_told_once_a_window(client: aioredis.Redis) -> None:
    limits = RateLimits(client, LIMITS)
    assert [await limits.psid_message("77", now=T0) for _ in range(2)] == [None, None]
    refusal = await limits.psid_message("77", now=T0 + 1)
    assert refusal is not None and refusal.code == "psid_rate"
    assert await limits.first_refusal(refusal, "77", now=T0 + 1)
    assert not await limits.first_refusal(refusal, "77", now=T0 + 2)
    assert await limits.psid_message("78", now=T0) is None
    assert await limits.psid_message("77", now=T0 + MINUTE) is None


async def test_counters_expire_on_their_own(client: aioredis.Redis) -> None:
    limits = RateLimits(client, LIMITS)
    await limits.message("1.2.3.4", "c1", may_open=True, now=T0)
    ttls = [await client.ttl(k) async for k in client.scan_iter("bot:limit:*")]
    assert len(ttls) == 3 and all(0 < t <= HOUR for t in ttls)
