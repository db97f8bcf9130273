"""Sign-in sessions in Redis, named by the SHA-256 of their token (a key listing reveals no token).

A session ends when unused for the idle time, at the latest the maximum lifetime after
sign-in, on sign-out, and together with all of its moderator's other sessions on a password
change, a disable or a removal. Ended sessions are announced on ``keys.SESSIONS_ENDED`` so
open live feeds close at once.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import time
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import WatchError

from bot.core import keys
from bot.core.text import as_str

MAX_TOKEN_CHARS = 100  # a cookie longer than any token we hand out is not looked up


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class SessionRecord:
    login: str
    csrf: str


class Sessions:
    def __init__(self, client: Redis, idle_seconds: int, max_seconds: int) -> None:
        self.redis: Any = client
        self.idle_seconds, self.max_seconds = idle_seconds, max_seconds

    async def start(self, login: str, now: float | None = None) -> tuple[str, str]:
        """A new session's token (for the cookie) and CSRF token."""
        now = time.time() if now is None else now
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        key = token_hash(token)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(keys.session(key), mapping={"login": login, "csrf": csrf, "started": repr(now)})
            pipe.expire(keys.session(key), min(self.idle_seconds, self.max_seconds))
            pipe.sadd(keys.user_sessions(login), key)
            pipe.expire(keys.user_sessions(login), self.max_seconds)
            await pipe.execute()
        return token, csrf

    async def get(self, token: str, now: float | None = None) -> SessionRecord | None:
        """The session's record, its idle time restarted; None if there is none (any more)."""
        if not token or len(token) > MAX_TOKEN_CHARS:
            return None
        now = time.time() if now is None else now
        key = keys.session(token_hash(token))
        fields = {as_str(k): as_str(v) for k, v in (await self.redis.hgetall(key)).items()}
        if not fields:
            return None
        left = float(fields.get("started", 0)) + self.max_seconds - now
        if left <= 0:
            await self.end(token)
            return None
        await self.redis.expire(key, min(self.idle_seconds, math.ceil(left)))
        return SessionRecord(fields["login"], fields["csrf"])

    async def alive(self, key: str) -> bool:
        """Whether the session with this token hash still exists (its expiry is not restarted)."""
        return bool(await self.redis.exists(keys.session(key)))

    async def end(self, token: str) -> None:
        key = token_hash(token)
        login = await self.redis.hget(keys.session(key), "login")
        await self.redis.delete(keys.session(key))
        if login:
            await self.redis.srem(keys.user_sessions(as_str(login)), key)
        await self.redis.publish(keys.SESSIONS_ENDED, key)

    async def end_all(self, login: str) -> int:
        """End every session of ``login``; how many there were."""
        index = keys.user_sessions(login)
        async with self.redis.pipeline(transaction=True) as pipe:
            while True:  # a sign-in at the same moment adds to the index: read it again
                try:
                    await pipe.watch(index)
                    members = [as_str(m) for m in await pipe.smembers(index)]
                    pipe.multi()
                    for key in members:
                        pipe.delete(keys.session(key))
                    pipe.delete(index)
                    results = await pipe.execute()
                    break
                except WatchError:
                    continue
        if members:
            await self.redis.publish(keys.SESSIONS_ENDED, " ".join(members))
        return sum(int(r) for r in results[:-1])
