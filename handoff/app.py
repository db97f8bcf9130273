"""The handoff service's app factory: wiring only, no I/O until start-up."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import aiohttp
import redis.asyncio as aioredis
from aiohttp import web

from bot.core import keys
from handoff import api, console, internal, learning_api, views, widget
from handoff.accounts import Accounts
from handoff.appkeys import ACCOUNTS, ARCHIVE_FAILURES, HTTP, JOBS, RASA, REDIS, SETTINGS, SUGGEST, TICKETS
from handoff.archive_failures import ArchiveFailures
from handoff.archiver import Archiver
from handoff.feed import EventFeed
from handoff.jobs import Jobs
from handoff.live import live
from handoff.metrics import metrics
from handoff.openapi import openapi
from handoff.outbox import OutboxDelivery
from handoff.rasa_client import RasaClient
from handoff.settings import Settings
from handoff.streams import StreamWorker
from handoff.suggest import SuggestClient
from handoff.tickets import TicketStore
from handoff.web_auth import auth_middleware, errors_middleware


async def _resources(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    client = aioredis.from_url(settings.redis_url, decode_responses=True, socket_timeout=5)
    http = aiohttp.ClientSession()
    app[REDIS], app[HTTP] = client, http
    app[TICKETS], app[ACCOUNTS] = TicketStore(client), Accounts(client)
    app[JOBS] = Jobs(settings.jobs_dir, client)
    app[ARCHIVE_FAILURES] = ArchiveFailures(client)
    app[RASA] = RasaClient(http, settings.rasa_url, settings.rasa_token)
    app[SUGGEST] = SuggestClient(http, settings.action_url)
    yield
    await http.close()
    await client.aclose()


async def _workers(app: web.Application) -> AsyncIterator[None]:
    """Deliver the outbox to Rasa and follow Rasa's event stream, each through a consumer group."""
    settings, client = app[SETTINGS], app[REDIS]
    outbox = StreamWorker(client, keys.OUTBOX, keys.GROUP, settings.consumer,
                          OutboxDelivery(app[RASA], client, settings.register, settings.tracker_keys), delete_done=True,
                          order=lambda fields: keys.outbox_order(fields.get("conversation_id", "")))
    feed = StreamWorker(client, settings.tracker_keys.stream, keys.GROUP, settings.consumer, EventFeed(client),
                        start_id="$")
    archiver = Archiver(client, settings.archive_dir, settings.archive_idle_seconds, settings.tracker_keys)
    tasks = [asyncio.create_task(outbox.run()), asyncio.create_task(feed.run()), asyncio.create_task(archiver.run())]
    yield
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task


def create_app(settings: Settings, workers: bool = True) -> web.Application:
    app = web.Application(middlewares=[errors_middleware, auth_middleware], client_max_size=api.MAX_BODY_BYTES)
    app[SETTINGS] = settings
    app.cleanup_ctx.append(_resources)
    if workers:
        app.cleanup_ctx.append(_workers)
    app.router.add_get("/health", views.health)
    widget.setup_routes(app)
    console.setup_routes(app)
    api.setup_routes(app)
    internal.setup_routes(app)
    app.router.add_get("/api/live", live)
    app.router.add_get("/api/openapi.json", openapi)
    app.router.add_get("/metrics", metrics)
    learning_api.setup_routes(app)
    app.router.add_get("/admin", console.admin_page)
    return app
