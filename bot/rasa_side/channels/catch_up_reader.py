"""Answering a widget's ``catch_up`` (``channels/catch_up.py``): the messages it missed, from Redis.

The race it closes: Rasa emits a message (live, through pub/sub) and only then saves the event,
both under the conversation's lock (``bot/rasa_side/locks.py``; ``tracker/events`` and a
customer's turn alike). A socket that joined the room just after the emit, and read the list
just before the save, would never see that message. So the read takes the conversation's lock
after the socket is in its rooms (``session_request`` comes first): every message was either
saved before the read (and is caught up) or is emitted after it (and arrives live; one emitted
just before may come both ways, and the widget drops the second by its id). The catch-up's
emits happen under the lock too, so no live message of the conversation falls in between.
"""

from __future__ import annotations

import asyncio
import json
import logging
from contextlib import AsyncExitStack
from typing import Any

import redis.asyncio as aioredis

from bot.core.keys import TrackerKeys
from bot.core.redis_clients import async_client
from bot.core.redis_config import RedisConfig
from bot.rasa_side.channels.catch_up import (
    CATCH_UP_FIRST_READ,
    CATCH_UP_MAX_EVENTS,
    MAX_CATCH_UPS_PER_CONNECTION,
    CatchUp,
    select,
    since,
    valid_id,
)
from bot.rasa_side.locks import RedisLockStore

logger = logging.getLogger(__name__)

LOCK_WAIT_SECONDS = 10.0  # a turn in progress is waited for; a dead holder's lock (60 s) is not
# Our ticket's lifetime: far longer than a read, short enough that a ticket left behind by a
# cancellation (a timeout during the very first Redis round trip) holds the conversation up briefly.
LOCK_LIFETIME_SECONDS = 15.0


class CatchUpReader:
    """Reads a conversation's latest events for the widget channel; clients made on first use
    (inside Rasa's event loop)."""

    def __init__(self, redis: RedisConfig, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix
        self._keys = TrackerKeys(prefix)
        self._client: aioredis.Redis | None = None
        self._locks: RedisLockStore | None = None
        self._asked: dict[str, int] = {}  # socket id -> catch-ups it asked for

    def _clients(self) -> tuple[aioredis.Redis, RedisLockStore]:
        if self._client is None or self._locks is None:
            self._client = async_client(self._redis, decode_responses=True,
                                          socket_timeout=5, socket_connect_timeout=5)
            self._locks = RedisLockStore(**self._redis.endpoint_options(), key_prefix=self._prefix)
        return self._client, self._locks

    def forget(self, sid: str) -> None:
        self._asked.pop(sid, None)

    async def _latest(self, conversation_id: str, count: int) -> list[dict[str, Any]]:
        client, _ = self._clients()
        raw = await client.lrange(self._keys.events(conversation_id), -count, -1)
        return [json.loads(r) for r in raw]

    async def missed(self, conversation_id: str, last_id: Any) -> CatchUp:
        """The messages after ``last_id``: the last ``CATCH_UP_FIRST_READ`` events, then (not
        found there) the last ``CATCH_UP_MAX_EVENTS``; an id found in neither, by the clock."""
        events = await self._latest(conversation_id, CATCH_UP_FIRST_READ)
        chosen = select(events, last_id)
        if not chosen.found and valid_id(last_id) and len(events) == CATCH_UP_FIRST_READ:
            events = await self._latest(conversation_id, CATCH_UP_MAX_EVENTS)
            chosen = select(events, last_id)
        if not chosen.found and valid_id(last_id):
            chosen = since(events, last_id)
        return chosen

    async def answer(self, sio: Any, sid: str, conversation_id: str | None, data: Any) -> None:
        """Emit to ``sid`` what its conversation stored after ``data["last_id"]``, then ``caught_up``;
        or one ``error`` (no session, a bad request, a ``last_id`` that is no number)."""
        async def error(code: str, text: str) -> None:
            await sio.emit("error", {"code": code, "error": text}, room=sid)

        if conversation_id is None:
            await error("no_session", "send session_request first")
            return
        if not isinstance(data, dict) or "last_id" not in data:
            await error("bad_last_id", "catch_up needs {\"last_id\": <a message id or null>}")
            return
        self._asked[sid] = self._asked.get(sid, 0) + 1
        if self._asked[sid] > MAX_CATCH_UPS_PER_CONNECTION:
            await error("too_many_catch_ups", f"at most {MAX_CATCH_UPS_PER_CONNECTION} catch_up per connection")
            return
        _, locks = self._clients()
        async with AsyncExitStack() as held:
            try:
                await asyncio.wait_for(held.enter_async_context(
                    locks.lock(conversation_id, lock_lifetime=LOCK_LIFETIME_SECONDS)), LOCK_WAIT_SECONDS)
            except Exception as e:  # a stuck or dead holder: read anyway (the race is back, narrowly)
                logger.warning("catch-up for %s without the conversation's lock: %r", conversation_id, e)
            try:
                chosen = await self.missed(conversation_id, data["last_id"])
            except Exception as e:  # Redis away: the widget asks again on its next connection
                logger.error("catch-up for %s failed: %r", conversation_id, e)
                await error("unavailable", "the missed messages cannot be read now")
                return
            if not chosen.found:
                await error("bad_last_id", "last_id must be a message id (a number) or null")
                return
            for payload in chosen.messages:
                await sio.emit("bot_uttered", payload, room=sid)
            await sio.emit("caught_up", {"count": len(chosen.messages)}, room=sid)
