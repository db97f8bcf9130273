"""The limits of signing in and of sessions, from the environment (part of ``handoff.settings``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.core import settings as env
from bot.core.clients import trusted_proxies
from bot.core.settings import SettingsError

HASH_CONCURRENCY = 2  # password hashes running at once; more sign-ins wait their turn
LOGIN_FREE_FAILURES = 5  # failed sign-ins of one login before it has to wait
IP_FREE_FAILURES = 20  # failed sign-ins from one address before it has to wait
BASE_DELAY_SECONDS = 1  # the first wait; each further failure doubles it
MAX_DELAY_SECONDS = 900  # the longest wait between two attempts
FAILURE_MEMORY_SECONDS = 24 * 3600  # failures are forgotten this long after the last one
SESSION_IDLE_SECONDS = 2 * 3600  # a session unused this long ends
SESSION_MAX_SECONDS = 12 * 3600  # a session ends this long after sign-in, used or not
DAY = 24 * 3600


@dataclass(frozen=True)
class SignInLimits:
    hash_concurrency: int = HASH_CONCURRENCY
    login_free_failures: int = LOGIN_FREE_FAILURES
    ip_free_failures: int = IP_FREE_FAILURES
    base_delay_seconds: int = BASE_DELAY_SECONDS
    max_delay_seconds: int = MAX_DELAY_SECONDS
    failure_memory_seconds: int = FAILURE_MEMORY_SECONDS
    session_idle_seconds: int = SESSION_IDLE_SECONDS
    session_max_seconds: int = SESSION_MAX_SECONDS
    # peers whose X-Forwarded-For names the client (HAProxy in `make run-replicas`); empty: trust none
    trusted_proxies: frozenset[str] = frozenset()

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> SignInLimits:
        def number(name: str, default: int, low: int, high: int, unit: str = "") -> int:
            return env.whole_number(environ, name, str(default), low, high, unit)

        limits = cls(
            hash_concurrency=number("HANDOFF_HASH_CONCURRENCY", HASH_CONCURRENCY, 1, 64),
            login_free_failures=number("HANDOFF_SIGN_IN_LOGIN_FREE_FAILURES", LOGIN_FREE_FAILURES, 1, 1000),
            ip_free_failures=number("HANDOFF_SIGN_IN_IP_FREE_FAILURES", IP_FREE_FAILURES, 1, 100_000),
            base_delay_seconds=number("HANDOFF_SIGN_IN_BASE_DELAY_SECONDS", BASE_DELAY_SECONDS, 1, 3600, "seconds"),
            max_delay_seconds=number("HANDOFF_SIGN_IN_MAX_DELAY_SECONDS", MAX_DELAY_SECONDS, 1, DAY, "seconds"),
            failure_memory_seconds=number("HANDOFF_SIGN_IN_FAILURE_MEMORY_SECONDS", FAILURE_MEMORY_SECONDS,
                                          60, 30 * DAY, "seconds"),
            session_idle_seconds=number("HANDOFF_SESSION_IDLE_SECONDS", SESSION_IDLE_SECONDS, 60, 7 * DAY, "seconds"),
            session_max_seconds=number("HANDOFF_SESSION_MAX_SECONDS", SESSION_MAX_SECONDS, 60, 30 * DAY, "seconds"),
            trusted_proxies=trusted_proxies(environ.get("TRUSTED_PROXIES", "")),
        )
        if limits.max_delay_seconds < limits.base_delay_seconds:
            raise SettingsError("HANDOFF_SIGN_IN_MAX_DELAY_SECONDS must not be below "
                                "HANDOFF_SIGN_IN_BASE_DELAY_SECONDS")
        if limits.failure_memory_seconds < limits.max_delay_seconds:
            raise SettingsError("HANDOFF_SIGN_IN_FAILURE_MEMORY_SECONDS must not be below "
                                "HANDOFF_SIGN_IN_MAX_DELAY_SECONDS (a wait would be forgotten before it ends)")
        return limits
