"""Messenger profiles: what counts as one, and the cache against a real redis-server."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from bot.core.keys import MessengerKeys
from bot.rasa_side.channels.profiles import (
    FAILURE_TTL_SECONDS,
    Profile,
    ProfileError,
    Profiles,
    lang_of_locale,
    parse_profile,
)

TTL = 7 * 24 * 3600


def answer(**fields: object) -> bytes:
    return json.dumps({"id": "7", **fields}).encode()


def test_a_profile_gives_the_name_and_the_language() -> None:
    assert parse_profile(200, answer(first_name="Zofia", last_name="Kowalska", locale="pl_PL")) == \
        Profile("Zofia Kowalska", "pl")
    assert parse_profile(200, answer(first_name="Peter", last_name="Chang", locale="en_US")) == \
        Profile("Peter Chang", "en")
    assert parse_profile(200, answer(first_name="Hans", locale="de_DE")) == Profile("Hans", None)
    assert parse_profile(200, answer()) == Profile("", None)  # no permission for the fields: nothing known
    assert parse_profile(200, answer(first_name="  Anna  Maria ", last_name="Nowak")).name == "Anna Maria Nowak"
    assert Profile("Peter Chang", "en").metadata() == {"customer_name": "Peter Chang", "lang": "en"}
    assert Profile("", None).metadata() == {}


@pytest.mark.parametrize(("status", "body", "why"), [
    (500, answer(first_name="Jan"), "HTTP 500"),
    (400, b'{"error": {"message": "(#100) bad", "code": 100}}', "HTTP 400"),
    (200, b"<html>oops</html>", "not JSON"),
    (200, b"\xff\xfe", "not JSON"),
    (200, b"[1, 2]", "not a JSON object"),
    (200, answer(first_name=7), "first_name is not a string"),
    (200, answer(first_name="Jan", last_name=["Nowak"]), "last_name is not a string"),
    (200, answer(first_name="J" * 81), "longer than"),
    (200, answer(first_name="J" * 50, last_name="N" * 50), "name longer than 80"),
    (200, answer(first_name="Jan\x00"), "control characters"),
    (200, answer(first_name="Jan\u202eNowak"), "control characters"),
    (200, answer(first_name="Jan", locale={"x": 1}), "locale"),
])
def test_nonsense_is_refused_with_the_reason(status: int, body: bytes, why: str) -> None:
    with pytest.raises(ProfileError, match=why):
        parse_profile(status, body)


def test_only_polish_and_english_locales_give_a_language() -> None:
    assert [lang_of_locale(x) for x in ("pl_PL", "en_GB", "en_US", "de_DE", "", "PL_pl")] == \
        ["pl", "en", "en", None, None, "pl"]


class FakeGraph:
    """Counts the profile requests; ``gate`` holds them until set."""

    def __init__(self, status: int = 200, body: bytes = answer(first_name="Ewa", last_name="Nowak", locale="en_GB"),
                 error: Exception | None = None) -> None:
        self.status, self.body, self.error = status, body, error
        self.calls = 0
        self.gate = asyncio.Event()
        self.gate.set()

    async def fetch(self, psid: str) -> tuple[int, bytes]:
        self.calls += 1
        await self.gate.wait()
        if self.error is not None:
            raise self.error
        return self.status, self.body


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    c = aioredis.from_url(redis_url)
    yield c
    await c.aclose()


async def test_a_profile_is_fetched_once_and_cached_with_its_ttl(client: aioredis.Redis) -> None:
    graph = FakeGraph()
    profiles = Profiles(client, graph.fetch, TTL, 300)
    assert await profiles.get("7") == Profile("Ewa Nowak", "en")
    assert await Profiles(client, graph.fetch, TTL, 300).get("7") == Profile("Ewa Nowak", "en")  # another server
    assert graph.calls == 1
    assert TTL - 5 <= await client.ttl(MessengerKeys().profile("7")) <= TTL


@pytest.mark.parametrize("graph", [FakeGraph(status=500), FakeGraph(body=b"garbage"),
                                   FakeGraph(error=asyncio.TimeoutError())], ids=["500", "garbage", "timeout"])
async def test_a_failure_is_cached_shorter_and_never_waited_for_again(client: aioredis.Redis,
                                                                      graph: FakeGraph) -> None:
    profiles = Profiles(client, graph.fetch, TTL, 300)
    assert await profiles.get("8") is None
    assert await profiles.get("8") is None
    assert graph.calls == 1  # not asked again with every message
    assert 0 < await client.ttl(MessengerKeys().profile("8")) <= FAILURE_TTL_SECONDS


async def test_a_slow_profile_delays_the_message_at_most_the_wait(client: aioredis.Redis) -> None:
    graph = FakeGraph()
    graph.gate.clear()
    profiles = Profiles(client, graph.fetch, TTL, 50)
    profiles.prefetch("9")  # the webhook starts it
    assert await profiles.get("9") is None  # the worker gives up after 50 ms: answered without a name
    graph.gate.set()
    deadline = time.monotonic() + 5
    while await client.get(MessengerKeys().profile("9")) is None and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    assert await profiles.get("9") == Profile("Ewa Nowak", "en")  # the next message has it
    assert graph.calls == 1


async def test_the_worker_waits_for_a_fetch_the_webhook_started(client: aioredis.Redis) -> None:
    graph = FakeGraph()
    profiles = Profiles(client, graph.fetch, TTL, 2000)
    profiles.prefetch("10")
    profiles.prefetch("10")  # a second event of the same customer: no second fetch
    assert await profiles.get("10") == Profile("Ewa Nowak", "en")
    assert graph.calls == 1


async def test_redis_away_means_no_name_not_an_error(redis_url: str) -> None:
    graph = FakeGraph()
    dead = aioredis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.5)
    try:
        assert await Profiles(dead, graph.fetch, TTL, 300).get("11") is None
    finally:
        await dead.aclose()
