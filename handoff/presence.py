"""Moderators' presence: the status each chose in the console header, and whether their console is open.

A moderator is "away" whatever they chose when no console of theirs was seen for the presence time:
every signed-in request marks them seen (``handoff.accounts``, ``keys.ONLINE``) and an open console
pings every 30 s, so a closed one goes away on its own. Until they choose, a seen moderator is available.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from bot.core import keys
from bot.core.text import as_str
from handoff import clock
from handoff.assignment import PRESENCE_SECONDS

STATUSES = ("available", "busy", "away")


async def status(redis: Any, login: str, now: float | None = None, presence_seconds: int = PRESENCE_SECONDS) -> str:
    """"available", "busy" or "away" (chosen, or no console seen for ``presence_seconds``)."""
    return (await statuses(redis, [login], now, presence_seconds))[login]


async def available(redis: Any, login: str, now: float | None = None, presence_seconds: int = PRESENCE_SECONDS) -> bool:
    return await status(redis, login, now, presence_seconds) == "available"


async def statuses(redis: Any, logins: Collection[str], now: float | None = None,
                   presence_seconds: int = PRESENCE_SECONDS) -> dict[str, str]:
    """Each login's status, read in one round trip."""
    now = clock.now() if now is None else now
    logins = list(logins)
    if not logins:
        return {}
    async with redis.pipeline(transaction=False) as pipe:
        for login in logins:
            pipe.zscore(keys.ONLINE, login)
        pipe.hmget(keys.STATUS, logins)
        *seen, chosen = await pipe.execute()
    out = {}
    for login, at, choice in zip(logins, seen, chosen, strict=True):
        present = at is not None and now - float(at) < presence_seconds
        out[login] = as_str(choice) if present and choice else ("available" if present else "away")
    return out


async def set_status(redis: Any, login: str, value: object) -> None:
    if not isinstance(value, str) or value not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    async with redis.pipeline(transaction=True) as pipe:
        pipe.hset(keys.STATUS, login, value)
        pipe.zadd(keys.ONLINE, {login: clock.now()})  # choosing is being here
        await pipe.execute()


async def capacities(redis: Any, logins: Collection[str], default: int) -> dict[str, int]:
    logins = list(logins)
    raw = await redis.hmget(keys.CAPACITY, logins) if logins else []
    return {login: int(v) if v is not None else default for login, v in zip(logins, raw, strict=True)}


async def set_capacity(redis: Any, login: str, capacity: int) -> None:
    await redis.hset(keys.CAPACITY, login, capacity)
