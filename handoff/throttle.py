"""Sign-in throttling per login and per client address, in Redis so it holds across replicas.

Every attempt is counted as a failure before the password is checked (so a burst of parallel
guesses cannot all slip past the check); a successful sign-in then forgets the login's
failures and takes its own attempt back from the address's count. After the free failures
each further attempt waits twice as long as the one before, up to a cap.
"""

from __future__ import annotations

import time
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import WatchError

from bot.core import keys
from handoff.sign_in_limits import SignInLimits

RESERVE_RETRIES = 20  # concurrent attempts on the same login or address; then "try again shortly"


def backoff_seconds(failures: int, free: int, base: float, cap: float) -> float:
    """How long after the last failed attempt the next one may come."""
    if failures < free:
        return 0.0
    return float(min(cap, base * 2 ** min(failures - free, 32)))


def wait_seconds(failures: int, last: float, now: float, free: int, base: float, cap: float) -> float:
    """How long from ``now`` until the next attempt is allowed (0: allowed now). Within the free failures
    always 0, even when another replica's (or a concurrent attempt's) ``last`` is a moment after ``now``."""
    delay = backoff_seconds(failures, free, base, cap)
    return max(0.0, last + delay - now) if delay else 0.0


class SignInThrottle:
    def __init__(self, client: Redis, limits: SignInLimits) -> None:
        self.redis: Any = client
        self.limits = limits

    def _buckets(self, login: str, ip: str) -> list[tuple[str, int]]:
        return [(keys.sign_in_failures("login", login), self.limits.login_free_failures),
                (keys.sign_in_failures("ip", ip), self.limits.ip_free_failures)]

    async def reserve(self, login: str, ip: str, now: float | None = None) -> float:
        """0 and the attempt counted (as a failure until ``succeeded``), or the seconds to wait first."""
        now = time.time() if now is None else now
        buckets = self._buckets(login, ip)
        limits = self.limits
        async with self.redis.pipeline(transaction=True) as pipe:
            for _ in range(RESERVE_RETRIES):
                try:
                    await pipe.watch(*(key for key, _ in buckets))
                    wait = 0.0
                    for key, free in buckets:
                        failures, last = await pipe.hmget(key, "failures", "last")
                        wait = max(wait, wait_seconds(int(failures or 0), float(last or 0), now, free,
                                                      limits.base_delay_seconds, limits.max_delay_seconds))
                    if wait > 0:
                        await pipe.reset()
                        return wait
                    pipe.multi()
                    for key, _ in buckets:
                        pipe.hincrby(key, "failures", 1)
                        pipe.hset(key, "last", repr(now))
                        pipe.expire(key, limits.failure_memory_seconds)
                    await pipe.execute()
                    return 0.0
                except WatchError:
                    continue
        return float(limits.base_delay_seconds)  # this busy: the caller may well wait a moment

    async def succeeded(self, login: str, ip: str) -> None:
        (login_key, _), (ip_key, _) = self._buckets(login, ip)
        await self.redis.delete(login_key)
        if int(await self.redis.hincrby(ip_key, "failures", -1)) <= 0:
            await self.redis.delete(ip_key)
