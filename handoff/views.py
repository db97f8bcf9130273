"""HTTP handlers of the handoff service."""

from __future__ import annotations

import logging

from aiohttp import web
from redis.exceptions import RedisError

from handoff.appkeys import REDIS

logger = logging.getLogger(__name__)


async def health(request: web.Request) -> web.Response:
    """200 when the service and its Redis answer, 503 otherwise."""
    try:
        await request.app[REDIS].ping()
    except (RedisError, OSError) as exc:
        logger.warning("health: redis unreachable: %s", exc)
        return web.json_response({"status": "degraded", "redis": "unreachable"}, status=503)
    return web.json_response({"status": "ok", "redis": "ok"})
