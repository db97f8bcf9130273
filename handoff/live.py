"""Live updates for the console: Redis pub/sub fanned out as server-sent events.

Every ticket change and every message of a handed-off conversation is published on
``ho:live`` (by the ticket store and the event feed), so any replica's console sees it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import web

from bot.core import keys
from handoff.appkeys import REDIS

logger = logging.getLogger(__name__)
KEEPALIVE_SECONDS = 4.0  # under the Redis client's 5 s socket timeout


async def live(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store",
                                           "X-Accel-Buffering": "no"})
    pubsub: Any = request.app[REDIS].pubsub()
    # Subscribed before the headers go out: the console re-reads its data when the stream opens,
    # so nothing published in between is missed.
    await pubsub.subscribe(keys.LIVE)
    try:
        await response.prepare(request)
        await response.write(b": connected\n\n")
        while True:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=KEEPALIVE_SECONDS)
            if message is None:
                await response.write(b": keepalive\n\n")
                continue
            data = message["data"]
            text = data.decode() if isinstance(data, bytes) else str(data)
            await response.write(f"data: {text}\n\n".encode())
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        await pubsub.unsubscribe(keys.LIVE)
        await pubsub.aclose()
    return response
