"""Signing in: exactly one hash per attempt whatever the login, throttling per login and per address
with exponential back-off shared by replicas (429 + Retry-After, no hash), argon2id with scrypt upgraded."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import threading
from collections.abc import Callable, Iterator
from typing import Any

import argon2
import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient, make_mocked_request

from bot.core import keys
from bot.core.settings import SettingsError
from handoff.accounts import Accounts, Role
from handoff.app import create_app
from handoff.passwords import ARGON2_MEMORY_KIB, ARGON2_PARALLELISM, ARGON2_TIME_COST, Passwords
from handoff.sign_in import client_ip
from handoff.sign_in_limits import SignInLimits
from handoff.throttle import backoff_seconds, wait_seconds
from tests.handoff.conftest import PASSWORD, Factory, settings

# A long first wait: a throttled answer stays throttled for the whole test, whatever the clock does.
LIMITS = SignInLimits(login_free_failures=3, ip_free_failures=6, base_delay_seconds=600, max_delay_seconds=3600)


class HashCounter:
    """Counts every password hash computation (argon2 hash and verify, scrypt) and the thread it ran on."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, bool]] = []
        self.lock = threading.Lock()

    def wrap(self, name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        def counted(*args: Any, **kwargs: Any) -> Any:
            with self.lock:
                self.calls.append((name, threading.current_thread() is threading.main_thread()))
            return original(*args, **kwargs)

        return counted

    @property
    def count(self) -> int:
        return len(self.calls)


@pytest.fixture
def hashes(monkeypatch: pytest.MonkeyPatch) -> Iterator[HashCounter]:
    counter = HashCounter()
    monkeypatch.setattr(argon2.PasswordHasher, "verify", counter.wrap("verify", argon2.PasswordHasher.verify))
    monkeypatch.setattr(argon2.PasswordHasher, "hash", counter.wrap("hash", argon2.PasswordHasher.hash))
    monkeypatch.setattr(hashlib, "scrypt", counter.wrap("scrypt", hashlib.scrypt))
    yield counter


@pytest.fixture
async def limited(aiohttp_client: Factory, redis_url: str) -> TestClient:
    """The app with short free-failure allowances and long waits, and the accounts anna and ola."""
    client = await aiohttp_client(create_app(settings(redis_url, sign_in=LIMITS), workers=False))
    redis = aioredis.from_url(redis_url, decode_responses=True)
    await Accounts(redis).create("anna", "Anna", Role.MODERATOR, PASSWORD)
    await Accounts(redis).create("ola", "Ola", Role.ADMIN, PASSWORD)
    await redis.aclose()
    return client


async def attempt(client: TestClient, login: str, password: str) -> tuple[int, str]:
    response = await client.post("/login", data={"login": login, "password": password}, allow_redirects=False)
    return response.status, response.headers.get("Location") or response.headers.get("Retry-After", "")


async def test_every_attempt_computes_exactly_one_hash_whatever_the_login(
        app_client: TestClient, redis_url: str, hashes: HashCounter) -> None:
    redis = aioredis.from_url(redis_url, decode_responses=True)
    await Accounts(redis).set_disabled("piotr", True)
    await redis.aclose()
    cases = [("anna", PASSWORD, "/"), ("anna", "wrong password!", "/login?error=1"),
             ("nobody", PASSWORD, "/login?error=1"), ("Not A Login!", PASSWORD, "/login?error=1"),
             ("piotr", PASSWORD, "/login?error=1")]  # disabled: the same answer as a wrong password
    for login, password, where in cases:
        hashes.calls.clear()
        assert await attempt(app_client, login, password) == (302, where), login
        assert hashes.count == 1, f"{login}: {hashes.calls}"
        assert not any(on_loop for _, on_loop in hashes.calls), "a hash ran on the event loop's thread"


async def test_failures_of_a_login_throttle_it_without_hashing(limited: TestClient, hashes: HashCounter) -> None:
    for _ in range(LIMITS.login_free_failures):
        assert await attempt(limited, "anna", "wrong password!") == (302, "/login?error=1")
    hashes.calls.clear()
    response = await limited.post("/login", data={"login": "anna", "password": PASSWORD}, allow_redirects=False)
    assert response.status == 429
    assert 1 <= int(response.headers["Retry-After"]) <= LIMITS.base_delay_seconds
    assert "too many sign-in attempts" in (await response.json())["error"]
    assert hashes.count == 0  # even the right password is not checked while the login waits
    assert await attempt(limited, "ola", PASSWORD) == (302, "/")  # another login from the same address


async def test_unknown_logins_are_throttled_like_known_ones(limited: TestClient, hashes: HashCounter) -> None:
    for _ in range(LIMITS.login_free_failures):
        assert await attempt(limited, "nobody", "wrong password!") == (302, "/login?error=1")
    hashes.calls.clear()
    status, _ = await attempt(limited, "nobody", "wrong password!")
    assert status == 429 and hashes.count == 0


async def test_failures_from_one_address_throttle_it_across_logins(limited: TestClient, hashes: HashCounter) -> None:
    for i in range(LIMITS.ip_free_failures):
        assert await attempt(limited, f"guess{i}", "wrong password!") == (302, "/login?error=1")
    hashes.calls.clear()
    status, retry_after = await attempt(limited, "anna", PASSWORD)
    assert status == 429 and int(retry_after) >= 1 and hashes.count == 0


async def test_a_successful_sign_in_forgets_the_logins_failures(limited: TestClient) -> None:
    for _ in range(LIMITS.login_free_failures - 1):
        assert await attempt(limited, "anna", "wrong password!") == (302, "/login?error=1")
    assert await attempt(limited, "anna", PASSWORD) == (302, "/")
    for _ in range(LIMITS.login_free_failures - 1):  # a fresh allowance, not one left
        assert await attempt(limited, "anna", "wrong password!") == (302, "/login?error=1")
    assert await attempt(limited, "anna", PASSWORD) == (302, "/")


async def test_a_parallel_burst_gets_only_the_free_attempts(limited: TestClient, hashes: HashCounter) -> None:
    hashes.calls.clear()
    results = await asyncio.gather(*(attempt(limited, "anna", f"guess number {i}") for i in range(10)))
    statuses = sorted(status for status, _ in results)
    assert statuses == [302] * LIMITS.login_free_failures + [429] * (10 - LIMITS.login_free_failures)
    assert hashes.count == LIMITS.login_free_failures


async def test_the_throttle_holds_across_replicas(aiohttp_client: Factory, limited: TestClient,
                                                 redis_url: str) -> None:
    other = await aiohttp_client(create_app(settings(redis_url, sign_in=LIMITS), workers=False))
    for _ in range(LIMITS.login_free_failures):
        assert await attempt(limited, "anna", "wrong password!") == (302, "/login?error=1")
    assert (await attempt(other, "anna", PASSWORD))[0] == 429


def test_back_off_doubles_from_the_free_failures_up_to_the_cap() -> None:
    assert [backoff_seconds(n, 3, 1, 10) for n in range(8)] == [0, 0, 0, 1, 2, 4, 8, 10]
    assert backoff_seconds(10_000, 3, 1, 900) == 900
    assert wait_seconds(3, last=100.0, now=100.5, free=3, base=1, cap=10) == 0.5
    assert wait_seconds(3, last=100.0, now=102.0, free=3, base=1, cap=10) == 0.0
    assert wait_seconds(2, last=100.1, now=100.0, free=3, base=1, cap=10) == 0.0  # a later "last" within the free


@pytest.mark.parametrize(("peer", "forwarded", "trusted", "expected"), [
    ("203.0.113.7", "", set(), "203.0.113.7"),
    ("203.0.113.7", "198.51.100.1", set(), "203.0.113.7"),  # an untrusted peer cannot name another client
    ("127.0.0.1", "10.9.9.9, 198.51.100.1", {"127.0.0.1"}, "198.51.100.1"),  # the hop HAProxy appended
    ("127.0.0.1", "not-an-address", {"127.0.0.1"}, "127.0.0.1"),
    ("127.0.0.1", "198.51.100.1, 10.0.0.2", {"127.0.0.1", "10.0.0.2"}, "198.51.100.1"),  # past a second proxy
])
def test_the_client_address(peer: str, forwarded: str, trusted: set[str], expected: str) -> None:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    request = make_mocked_request("POST", "/login", headers=headers, transport=_transport(peer))
    assert client_ip(request, frozenset(trusted)) == expected


def _transport(peer: str) -> Any:
    class Transport:
        def get_extra_info(self, name: str, default: Any = None) -> Any:
            return (peer, 40000) if name == "peername" else default

    return Transport()


async def test_new_hashes_are_argon2id_with_the_chosen_parameters() -> None:
    stored = await Passwords(1).hash("a password of some length")
    params = argon2.extract_parameters(stored)
    assert stored.startswith("$argon2id$")
    assert (params.memory_cost, params.time_cost, params.parallelism) == (
        ARGON2_MEMORY_KIB, ARGON2_TIME_COST, ARGON2_PARALLELISM)
    assert ARGON2_MEMORY_KIB >= 19 * 1024 and ARGON2_TIME_COST >= 2  # OWASP's floor


async def test_scrypt_and_weaker_argon2_hashes_are_upgraded_on_sign_in(app_client: TestClient, redis_url: str) -> None:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(PASSWORD.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    weak = argon2.PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    redis = aioredis.from_url(redis_url, decode_responses=True)
    await redis.hset(keys.user("anna"), "password", f"scrypt$16384$8$1${salt.hex()}${digest.hex()}")
    await redis.hset(keys.user("piotr"), "password", weak)
    for login in ("anna", "piotr"):
        assert await attempt(app_client, login, PASSWORD) == (302, "/")
        stored = await redis.hget(keys.user(login), "password")
        assert stored.startswith("$argon2id$") and not Passwords(1).needs_rehash(stored)
        assert await attempt(app_client, login, PASSWORD) == (302, "/")  # and the new hash verifies
    await redis.aclose()


async def test_hashing_is_bounded_to_the_configured_concurrency(monkeypatch: pytest.MonkeyPatch) -> None:
    running, most, lock = 0, 0, threading.Lock()
    original = argon2.PasswordHasher.verify

    def tracked(self: argon2.PasswordHasher, stored: str, password: str) -> bool:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        try:
            return original(self, stored, password)
        finally:
            with lock:
                running -= 1

    monkeypatch.setattr(argon2.PasswordHasher, "verify", tracked)
    passwords = Passwords(2)
    stored = await passwords.hash("a password of some length")
    results = await asyncio.gather(*(passwords.verify(stored, "a password of some length") for _ in range(8)))
    assert all(results) and 1 <= most <= 2


@pytest.mark.parametrize(("variable", "value"), [
    ("HANDOFF_HASH_CONCURRENCY", "0"), ("HANDOFF_SIGN_IN_LOGIN_FREE_FAILURES", "many"),
    ("HANDOFF_SESSION_MAX_SECONDS", "-5"), ("TRUSTED_PROXIES", "10.0.0.1, haproxy"),
    ("HANDOFF_SIGN_IN_MAX_DELAY_SECONDS", "0"),
])
def test_bad_limits_stop_the_start_naming_the_variable(variable: str, value: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        SignInLimits.from_env({variable: value})


def test_limits_from_the_environment() -> None:
    limits = SignInLimits.from_env({"HANDOFF_SIGN_IN_MAX_DELAY_SECONDS": "60", "TRUSTED_PROXIES": "127.0.0.1, ::1",
                                    "HANDOFF_SESSION_IDLE_SECONDS": "900"})
    assert (limits.max_delay_seconds, limits.session_idle_seconds) == (60, 900)
    assert limits.trusted_proxies == frozenset({"127.0.0.1", "::1"})
    assert SignInLimits.from_env({}) == SignInLimits()
    with pytest.raises(SettingsError, match="HANDOFF_SIGN_IN_FAILURE_MEMORY_SECONDS"):
        SignInLimits.from_env({"HANDOFF_SIGN_IN_MAX_DELAY_SECONDS": "7200",
                               "HANDOFF_SIGN_IN_FAILURE_MEMORY_SECONDS": "3600"})


async def test_a_throttled_sign_in_form_goes_back_to_the_page_that_says_how_long(limited: TestClient) -> None:
    for _ in range(LIMITS.login_free_failures):
        assert await attempt(limited, "anna", "wrong password!") == (302, "/login?error=1")
    response = await limited.post("/login", data={"login": "anna", "password": PASSWORD}, allow_redirects=False,
                                  headers={"Accept": "text/html,application/xhtml+xml"})
    assert response.status == 302
    wait = response.headers["Retry-After"]
    assert response.headers["Location"] == f"/login?wait={wait}" and int(wait) >= 1
