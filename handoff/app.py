"""The handoff service's app factory: wiring only, no I/O until start-up."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from bot.core import keys
from bot.core.redis_clients import async_client, close
from handoff import (
    api,
    background,
    canned_api,
    clock,
    console,
    consult_api,
    crisis_api,
    erasure_api,
    finding_api,
    internal,
    learning_api,
    pending_api,
    ratings_api,
    readiness,
    sla_api,
    stats_report,
    teams_api,
    typing_api,
    views,
    widget,
)
from handoff.accounts import Accounts
from handoff.appkeys import (
    ACCOUNTS,
    ARCHIVE_FAILURES,
    HTTP,
    JOBS,
    RASA,
    REDIS,
    SETTINGS,
    SIGN_IN,
    SUGGEST,
    TICKETS,
)
from handoff.archive_failures import ArchiveFailures
from handoff.archiver import Archiver
from handoff.assigner import assigner
from handoff.crisis_notify import crisis_tasks
from handoff.feed import EventFeed
from handoff.jobs import Jobs
from handoff.live import live
from handoff.log_context import conversation_middleware
from handoff.metrics import metrics, setup_metrics
from handoff.notifier import queue_notifier
from handoff.openapi import setup_openapi
from handoff.outbox import OutboxDelivery
from handoff.pending_loop import pending_watcher
from handoff.process_metrics import metrics_middleware, redis_errors_middleware
from handoff.rasa_client import RasaClient
from handoff.replication import replication_middleware
from handoff.retention import Retention
from handoff.settings import Settings
from handoff.sign_in import SignIn
from handoff.streams import StreamWorker
from handoff.suggest import SuggestClient
from handoff.throttle import SignInThrottle
from handoff.tickets import TicketStore
from handoff.web_auth import auth_middleware, errors_middleware


async def _resources(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    client = async_client(settings.redis_config(), decode_responses=True, socket_timeout=5)
    http = aiohttp.ClientSession()
    app[REDIS], app[HTTP] = client, http
    app[TICKETS] = TicketStore(client, settings.retention.ticket_seconds, settings.ticket_caps)
    app[ACCOUNTS] = Accounts(client, settings.sign_in)
    app[SIGN_IN] = SignIn(app[ACCOUNTS], SignInThrottle(client, settings.sign_in))
    await app[ACCOUNTS].passwords.dummy()  # made now, so no sign-in pays for it
    app[JOBS] = Jobs(settings.jobs_dir, client, settings.admin_paths.environ())  # the jobs use our paths
    app[ARCHIVE_FAILURES] = ArchiveFailures(client)
    app[RASA] = RasaClient(http, settings.rasa_url, settings.rasa_token)
    app[SUGGEST] = SuggestClient(http, settings.action_url)
    yield
    await http.close()
    await close(client)


async def _workers(app: web.Application) -> AsyncIterator[None]:
    """Deliver the outbox to Rasa and follow Rasa's event stream, each through a consumer group."""
    settings, client = app[SETTINGS], app[REDIS]
    outbox = StreamWorker(client, keys.OUTBOX, keys.GROUP, settings.consumer,
                          OutboxDelivery(app[RASA], client, settings.register, settings.tracker_keys), delete_done=True,
                          order=lambda fields: keys.outbox_order(fields.get("conversation_id", "")))
    feed = StreamWorker(client, settings.tracker_keys.stream, keys.GROUP, settings.consumer, EventFeed(client),
                        start_id="$")
    archiver = Archiver(client, settings.archive_dir, settings.archive_idle_seconds, settings.tracker_keys)
    retention = Retention(client, settings.retention, settings.tracker_keys, keys.MessengerKeys())
    loops = (outbox, feed, archiver, retention)
    tasks = [asyncio.create_task(loop.run()) for loop in loops]
    for name, task in zip(("outbox", "feed", "archiver", "retention"), tasks, strict=True):
        readiness.track(app, name, task)  # a stopped one makes /ready answer 503
    yield
    await background.stop(loops, tasks)  # flagged as well as cancelled: redis-py may lose a cancellation


def create_app(settings: Settings, workers: bool = True) -> web.Application:
    app = web.Application(middlewares=[metrics_middleware, errors_middleware, redis_errors_middleware,
                                       auth_middleware, replication_middleware,
                                       conversation_middleware],
                          client_max_size=api.MAX_BODY_BYTES)
    setup_metrics()
    app[SETTINGS] = settings
    readiness.setup(app)  # the loops /ready watches, and what it last logged
    clock.configure(settings.clock)  # ticket time: the wall's, or a bench's compressed weekend
    app.cleanup_ctx.append(_resources)
    app.cleanup_ctx.append(queue_notifier)  # always: it finishes every queue change (Redis only, no Rasa)
    app.cleanup_ctx.append(assigner)  # always: automatic assignment to teams (Redis only; idle with no teams)
    app.cleanup_ctx.append(pending_watcher)  # always: pending tickets become due on time (Redis only)
    app.cleanup_ctx.append(crisis_tasks)  # notifications of a new crisis, cancelled at shutdown
    if workers:
        app.cleanup_ctx.append(_workers)
    app.router.add_get("/health", views.health)
    app.router.add_get("/ready", readiness.ready)
    widget.setup_routes(app)
    console.setup_routes(app)
    api.setup_routes(app)
    typing_api.setup_routes(app)
    internal.setup_routes(app)
    finding_api.setup_routes(app)  # search, reopening, the shift handover
    ratings_api.setup_routes(app)
    app.router.add_get("/api/live", live)
    setup_openapi(app)  # /api/openapi.json, built from the routes below
    app.router.add_get("/metrics", metrics)
    learning_api.setup_routes(app)
    stats_report.setup_routes(app)
    erasure_api.setup_routes(app)
    canned_api.setup_routes(app)
    teams_api.setup_routes(app)  # statuses, team loads; teams and capacities (admin)
    pending_api.setup_routes(app)  # pending with a promised time
    consult_api.setup_routes(app)  # consulting an expert by e-mail, the inbound mail webhook
    crisis_api.setup_routes(app)  # crisis mode: the banner, the group, one statement to all
    sla_api.setup_routes(app)  # a team's own SLA targets (admin)
    app.router.add_get("/admin", console.admin_page)
    return app
