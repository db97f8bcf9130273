"""The handoff service's app factory: wiring only, no I/O until start-up."""

from __future__ import annotations

from collections.abc import AsyncIterator

import redis.asyncio as aioredis
from aiohttp import web

from handoff import views, widget
from handoff.appkeys import REDIS, SETTINGS
from handoff.settings import Settings


async def _redis_ctx(app: web.Application) -> AsyncIterator[None]:
    client = aioredis.from_url(app[SETTINGS].redis_url, decode_responses=True, socket_timeout=5)
    app[REDIS] = client
    yield
    await client.aclose()


def create_app(settings: Settings) -> web.Application:
    app = web.Application()
    app[SETTINGS] = settings
    app.cleanup_ctx.append(_redis_ctx)
    app.router.add_get("/health", views.health)
    widget.setup_routes(app)
    return app
