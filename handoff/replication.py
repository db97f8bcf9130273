"""Acknowledge a change only once a replica holds it.

With a replicated Redis (Sentinels), every state-changing request that succeeded (a moderator's
reply, a claim, a ticket the action server opens) waits for ``REDIS_WAIT_REPLICAS`` replicas before
its answer leaves (``bot.core.redis_clients.replicated_write``). A master SIGKILLed right after
the answer then loses nothing the caller was told was done; a failover during the wait fails the
request (503), and the caller sends it again. One round trip on a write; none on a read or an error.
With no replica answering (``bot.core.redis_clients.replicated_write``), changes are acknowledged
on the master alone, logged.
"""

from __future__ import annotations

from aiohttp import web

from bot.core.redis_clients import replicated_write
from handoff.appkeys import REDIS, SETTINGS
from handoff.web_auth import SAFE_METHODS, Handler


@web.middleware
async def replication_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    replicas = request.app[SETTINGS].redis_config().replicas_to_wait
    if replicas and request.method not in SAFE_METHODS and response.status < 400:
        await replicated_write(request.app[REDIS], replicas)
    return response
