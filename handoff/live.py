"""Live updates for the console: Redis pub/sub fanned out as server-sent events.

Every ticket change and every message of a handed-off conversation is published on
``ho:live`` (by the ticket store and the event feed), so any replica's console sees it.
The stream closes when its session ends, so a signed-out console hears nothing more.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import web

from bot.core import keys
from handoff.appkeys import ACCOUNTS, REDIS, session_of
from handoff.contract import contract

logger = logging.getLogger(__name__)
KEEPALIVE_SECONDS = 4.0  # under the Redis client's 5 s socket timeout
SESSION_CHECK_SECONDS = 4.0  # how late a feed may notice that its session expired


@contract("Server-sent events: ticket changes and new messages", media="text/event-stream", errors=(401,))
async def live(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store",
                                           "X-Accel-Buffering": "no"})
    pubsub: Any = request.app[REDIS].pubsub()
    # Subscribed before the headers go out: the console re-reads its data when the stream opens,
    # so nothing published in between is missed.
    await pubsub.subscribe(keys.LIVE, keys.SESSIONS_ENDED)
    try:
        await response.prepare(request)
        await response.write(b": connected\n\n")
        await _follow(request, response, pubsub)
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        await pubsub.unsubscribe(keys.LIVE, keys.SESSIONS_ENDED)
        await pubsub.aclose()
    return response


async def _follow(request: web.Request, response: web.StreamResponse, pubsub: Any) -> None:
    """Forward ``ho:live`` until the session ends: announced on ``keys.SESSIONS_ENDED`` (sign-out, password
    change, disable) or found gone by a check every ``SESSION_CHECK_SECONDS`` (idle or lifetime expiry)."""
    mine, sessions = session_of(request).key, request.app[ACCOUNTS].sessions
    loop = asyncio.get_running_loop()
    next_check = loop.time() + SESSION_CHECK_SECONDS
    while True:
        message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=KEEPALIVE_SECONDS)
        if loop.time() >= next_check:
            if not await sessions.alive(mine):
                return
            next_check = loop.time() + SESSION_CHECK_SECONDS
        if message is None:
            await response.write(b": keepalive\n\n")
            continue
        text = _text(message["data"])
        if _text(message["channel"]) == keys.SESSIONS_ENDED:
            if mine in text.split():
                return
            continue
        await response.write(f"data: {text}\n\n".encode())


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
