"""HTTP handlers of the handoff service."""

from __future__ import annotations

import logging
from typing import Literal

from aiohttp import web
from pydantic import BaseModel
from redis.exceptions import RedisError

from handoff.appkeys import REDIS
from handoff.contract import Auth, contract

logger = logging.getLogger(__name__)


class HealthOut(BaseModel):
    status: Literal["ok", "degraded"]
    redis: Literal["ok", "unreachable"]


@contract("200 when the service and its Redis answer, 503 otherwise", auth=Auth.PUBLIC, ok=(200, 503),
          reply=HealthOut, errors=())
async def health(request: web.Request) -> web.Response:
    """200 when the service and its Redis answer, 503 otherwise."""
    try:
        await request.app[REDIS].ping()
    except (RedisError, OSError) as exc:
        logger.warning("health: redis unreachable: %s", exc)
        return web.json_response({"status": "degraded", "redis": "unreachable"}, status=503)
    return web.json_response({"status": "ok", "redis": "ok"})
