"""Sessions: named in Redis by the token's SHA-256, an absolute lifetime besides the idle one, all of a
moderator's sessions end on a password change, disable and removal, and the live feed closes with its session."""

from __future__ import annotations

import asyncio
import hashlib
import time

import pytest
import redis.asyncio as aioredis
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from bot.core import keys
from handoff import live
from handoff.accounts import Accounts
from handoff.sign_in_limits import SESSION_IDLE_SECONDS, SESSION_MAX_SECONDS
from handoff.web_auth import COOKIE
from tests.handoff.conftest import PASSWORD, Console, Factory, sign_in

STREAM_DEADLINE_SECONDS = 20  # how long a test waits for a live stream to close


def token_of(console: Console) -> str:
    cookie = console.client.session.cookie_jar.filter_cookies(console.client.make_url("/"))[COOKIE]
    return cookie.value


async def signed_in(console: Console) -> bool:
    return (await console.call("GET", "/api/queue"))[0] == 200


async def test_session_keys_are_hashes_of_the_token(aiohttp_client: Factory, app_client: TestClient,
                                                    redis_url: str) -> None:
    anna = await sign_in(aiohttp_client, app_client, "anna")
    token = token_of(anna)
    redis = aioredis.from_url(redis_url, decode_responses=True)
    names = await redis.keys("*")
    await redis.aclose()
    assert keys.session(hashlib.sha256(token.encode()).hexdigest()) in names
    assert not any(token in name for name in names)


async def test_a_session_ends_at_its_lifetime_however_busy(aiohttp_client: Factory, app_client: TestClient,
                                                           redis_url: str) -> None:
    anna = await sign_in(aiohttp_client, app_client, "anna")
    key = keys.session(hashlib.sha256(token_of(anna).encode()).hexdigest())
    redis = aioredis.from_url(redis_url, decode_responses=True)
    assert 0 < await redis.ttl(key) <= SESSION_IDLE_SECONDS  # idle expiry, restarted by use
    await redis.hset(key, "started", repr(time.time() - SESSION_MAX_SECONDS + 100))
    assert await signed_in(anna)
    assert 0 < await redis.ttl(key) <= 100  # never past the lifetime, even when used
    await redis.hset(key, "started", repr(time.time() - SESSION_MAX_SECONDS - 1))
    assert not await signed_in(anna)
    assert not await redis.exists(key)
    await redis.aclose()


async def test_sign_out_ends_only_that_session(aiohttp_client: Factory, app_client: TestClient) -> None:
    first = await sign_in(aiohttp_client, app_client, "anna")
    second_client = await aiohttp_client(app_client.server)
    await second_client.post("/login", data={"login": "anna", "password": PASSWORD}, allow_redirects=False)
    second = Console(second_client, (await (await second_client.get("/api/me")).json())["csrf_token"])
    assert (await first.call("POST", "/logout"))[0] == 200
    assert not await signed_in(first) and await signed_in(second)


async def test_a_password_change_ends_every_session_of_the_account(aiohttp_client: Factory, app_client: TestClient,
                                                                   redis_url: str) -> None:
    anna = await sign_in(aiohttp_client, app_client, "anna")
    piotr = await sign_in(aiohttp_client, app_client, "piotr")
    redis = aioredis.from_url(redis_url, decode_responses=True)
    await Accounts(redis).set_password("anna", "a brand new password")
    await redis.aclose()
    assert not await signed_in(anna) and await signed_in(piotr)
    wrong = await app_client.post("/login", data={"login": "anna", "password": PASSWORD}, allow_redirects=False)
    assert wrong.headers["Location"] == "/login?error=1"


async def test_a_disabled_account_cannot_sign_in_and_its_sessions_end(
        aiohttp_client: Factory, app_client: TestClient, redis_url: str) -> None:
    anna = await sign_in(aiohttp_client, app_client, "anna")
    ola = await sign_in(aiohttp_client, app_client, "ola")
    redis = aioredis.from_url(redis_url, decode_responses=True)
    await Accounts(redis).set_disabled("piotr", True)
    piotr_client = await aiohttp_client(app_client.server)
    refused = await piotr_client.post("/login", data={"login": "piotr", "password": PASSWORD}, allow_redirects=False)
    assert refused.headers["Location"] == "/login?error=1"
    status, listed = await anna.call("GET", "/api/moderators")
    assert status == 200 and "piotr" not in {m["login"] for m in listed}
    await Accounts(redis).set_disabled("anna", True)
    assert not await signed_in(anna) and await signed_in(ola)
    await Accounts(redis).set_disabled("piotr", False)
    await redis.aclose()
    assert (await sign_in(aiohttp_client, app_client, "piotr")).csrf


async def test_a_removed_account_is_gone_with_its_sessions(aiohttp_client: Factory, app_client: TestClient,
                                                           redis_url: str) -> None:
    anna = await sign_in(aiohttp_client, app_client, "anna")
    redis = aioredis.from_url(redis_url, decode_responses=True)
    await Accounts(redis).remove("anna")
    assert not await redis.exists(keys.user("anna"), keys.user_sessions("anna"))
    await redis.aclose()
    assert not await signed_in(anna)
    refused = await app_client.post("/login", data={"login": "anna", "password": PASSWORD}, allow_redirects=False)
    assert refused.headers["Location"] == "/login?error=1"


async def open_live(console: Console) -> ClientResponse:
    response = await console.client.get("/api/live")
    assert response.status == 200
    assert await response.content.readuntil(b"\n\n") == b": connected\n\n"
    return response


async def next_event(stream: ClientResponse) -> bytes:
    """The next event of the stream, past comments (keepalives)."""
    while (chunk := await stream.content.readuntil(b"\n\n")).startswith(b":"):
        pass
    return chunk


async def closed(stream: ClientResponse) -> bool:
    """Read the stream to its end (what a closed stream gives); False if it is still open at the deadline."""
    async def drain() -> None:
        while await stream.content.readany():
            pass

    try:
        await asyncio.wait_for(drain(), STREAM_DEADLINE_SECONDS)
    except TimeoutError:
        return False
    return True


async def test_the_live_feed_closes_on_sign_out(aiohttp_client: Factory, app_client: TestClient) -> None:
    anna = await sign_in(aiohttp_client, app_client, "anna")
    stream = await open_live(anna)
    assert (await anna.call("POST", "/logout"))[0] == 200
    assert await closed(stream)
    assert (await anna.client.get("/api/live")).status == 401


async def test_the_live_feed_closes_when_the_account_is_disabled(aiohttp_client: Factory, app_client: TestClient,
                                                                  redis_url: str) -> None:
    anna = await sign_in(aiohttp_client, app_client, "anna")
    piotr = await sign_in(aiohttp_client, app_client, "piotr")
    annas, piotrs = await open_live(anna), await open_live(piotr)
    redis = aioredis.from_url(redis_url, decode_responses=True)
    await Accounts(redis).set_disabled("anna", True)
    await redis.publish(keys.LIVE, '{"type": "after"}')
    await redis.aclose()
    assert await closed(annas)
    assert await next_event(piotrs) == b'data: {"type": "after"}\n\n'  # still following
    piotrs.close()


async def test_the_live_feed_closes_when_its_session_expires(aiohttp_client: Factory, app_client: TestClient,
                                                              redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live, "KEEPALIVE_SECONDS", 0.05)
    monkeypatch.setattr(live, "SESSION_CHECK_SECONDS", 0.05)
    anna = await sign_in(aiohttp_client, app_client, "anna")
    stream = await open_live(anna)
    redis = aioredis.from_url(redis_url, decode_responses=True)
    await redis.delete(keys.session(hashlib.sha256(token_of(anna).encode()).hexdigest()))  # as the expiry does
    await redis.aclose()
    assert await closed(stream)
