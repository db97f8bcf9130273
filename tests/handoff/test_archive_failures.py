"""Set-aside conversations through the admin API: listed newest first, retried back into the
archiver's activity set, for admins only (real Redis, the real app)."""

import json
from pathlib import Path

import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient

from bot.core import keys
from handoff.archiver import Archiver
from tests.handoff.conftest import Factory, sign_in
from tests.handoff.test_archive import events

T0 = 1_795_000_000.0
LIST = "/api/admin/archive/failed"


def retry_path(conversation_id: str) -> str:
    return f"{LIST}/{conversation_id}/retry"


async def set_aside(redis_url: str, entries: dict[str, dict[str, object]]) -> None:
    client = aioredis.from_url(redis_url, decode_responses=True)
    await client.hset(keys.ARCHIVE_FAILED, mapping={k: json.dumps(v) for k, v in entries.items()})
    await client.aclose()


async def test_admins_see_set_aside_conversations_newest_first(
        aiohttp_client: Factory, app_client: TestClient, redis_url: str) -> None:
    ola = await sign_in(aiohttp_client, app_client, "ola")
    assert await ola.call("GET", LIST) == (200, {"conversations": []})
    await set_aside(redis_url, {
        "web:old": {"at": T0, "attempts": 5, "error": "RuntimeError"},
        "messenger:42": {"at": T0 + 60, "attempts": 5, "error": "KeyError"},
    })
    status, body = await ola.call("GET", LIST)
    assert status == 200
    assert body["conversations"] == [
        {"conversation_id": "messenger:42", "at": T0 + 60, "attempts": 5, "error": "KeyError"},
        {"conversation_id": "web:old", "at": T0, "attempts": 5, "error": "RuntimeError"},
    ]


async def test_a_retry_makes_the_conversation_due_again(
        aiohttp_client: Factory, app_client: TestClient, redis_url: str, tmp_path: Path) -> None:
    await set_aside(redis_url, {"web:bad": {"at": T0, "attempts": 5, "error": "RuntimeError"}})
    client = aioredis.from_url(redis_url, decode_responses=True)
    await client.hset(keys.ARCHIVE_ATTEMPTS, "web:bad", 3)  # a stale count: the retry starts from zero
    ola = await sign_in(aiohttp_client, app_client, "ola")
    assert await ola.call("POST", retry_path("web:bad")) == (202, {"conversation_id": "web:bad"})
    assert not await client.hexists(keys.ARCHIVE_FAILED, "web:bad")
    assert not await client.hexists(keys.ARCHIVE_ATTEMPTS, "web:bad")
    archiver = Archiver(client, tmp_path, idle_seconds=30)
    due = await client.zrangebyscore(keys.ACTIVITY, "-inf", T0 - archiver.idle_seconds)
    assert due == ["web:bad"]  # due for any pass from now on
    await client.rpush(keys.TrackerKeys().events("web:bad"), *[json.dumps(e) for e in events()])
    assert len(await archiver.archive_due(now=T0 + 100)) == 1
    assert (await ola.call("GET", LIST))[1] == {"conversations": []}
    assert (await ola.call("POST", retry_path("web:bad")))[0] == 404  # once only
    await client.aclose()


async def test_a_retry_keeps_newer_activity(
        aiohttp_client: Factory, app_client: TestClient, redis_url: str) -> None:
    """The customer wrote again meanwhile: the archiver waits for them to go idle as usual."""
    await set_aside(redis_url, {"web:back": {"at": T0, "attempts": 5, "error": "RuntimeError"}})
    client = aioredis.from_url(redis_url, decode_responses=True)
    await client.zadd(keys.ACTIVITY, {"web:back": T0 + 500})
    ola = await sign_in(aiohttp_client, app_client, "ola")
    assert (await ola.call("POST", retry_path("web:back")))[0] == 202
    assert await client.zscore(keys.ACTIVITY, "web:back") == T0 + 500
    await client.aclose()


async def test_unknown_and_bad_ids_change_nothing(
        aiohttp_client: Factory, app_client: TestClient, redis_url: str) -> None:
    await set_aside(redis_url, {"web:bad": {"at": T0, "attempts": 5, "error": "RuntimeError"}})
    ola = await sign_in(aiohttp_client, app_client, "ola")
    status, body = await ola.call("POST", retry_path("web:nope"))
    assert status == 404 and "web:nope" in body["error"]
    for bad in ("x" * 201, "web%01x"):
        status, body = await ola.call("POST", retry_path(bad))
        assert status == 400 and "conversation id" in body["error"]
    client = aioredis.from_url(redis_url, decode_responses=True)
    assert await client.hkeys(keys.ARCHIVE_FAILED) == ["web:bad"]
    assert not await client.exists(keys.ACTIVITY)
    await client.aclose()


async def test_moderators_and_strangers_are_refused(
        aiohttp_client: Factory, app_client: TestClient, redis_url: str) -> None:
    await set_aside(redis_url, {"web:bad": {"at": T0, "attempts": 5, "error": "RuntimeError"}})
    anna = await sign_in(aiohttp_client, app_client, "anna")
    assert (await anna.call("GET", LIST))[0] == 403
    assert (await anna.call("POST", retry_path("web:bad")))[0] == 403
    stranger = await aiohttp_client(app_client.server)
    assert (await stranger.get(LIST)).status == 401
    assert (await stranger.post(retry_path("web:bad"))).status == 401
    client = aioredis.from_url(redis_url, decode_responses=True)
    assert await client.hexists(keys.ARCHIVE_FAILED, "web:bad")
    await client.aclose()
