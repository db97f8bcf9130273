"""``GET /ready``: whether this replica should be given traffic (HAProxy's check, the systemd
unit's start; ``ops/systemd/``).

``/health`` stays what it was (the process and its Redis answer). ``/ready`` adds the background
loops this replica runs (the outbox, the event feed, the archiver, retention; the queue notifier,
the assigner, the pending watcher): a loop whose task has ended (an error it could not survive)
leaves the pages answering while replies and the live feed stop, so the replica answers 503 with
the reason and is taken out until it is restarted. The reasons are logged when they change.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from redis.exceptions import RedisError

from bot.core.readiness_log import ReadinessLog
from bot.core.redis_clients import why_unreachable
from handoff.appkeys import LOOPS, READY_LOG, REDIS, SETTINGS

logger = logging.getLogger(__name__)
PING_SECONDS = 2.0  # under HAProxy's check timeout, so a hung Redis reads as "not ready", not as a dead server


def setup(app: web.Application) -> None:
    app[LOOPS] = {}
    app[READY_LOG] = ReadinessLog(logger)


def track(app: web.Application, name: str, task: asyncio.Task[None]) -> None:
    """Watch ``task`` (a loop meant to run as long as the app) under ``name``."""
    app[LOOPS][name] = task


async def ready(request: web.Request) -> web.Response:
    """200 when Redis answers and every tracked loop runs; 503 with the reasons otherwise (logged
    when they change)."""
    reasons, cause = [], None
    try:
        await asyncio.wait_for(request.app[REDIS].ping(), PING_SECONDS)
    except (RedisError, OSError, TimeoutError) as exc:
        reasons.append(why_unreachable(request.app[SETTINGS].redis_config(), exc))
        cause = exc
    loops = request.app[LOOPS]
    stopped = sorted(name for name, task in loops.items() if task.done())
    if stopped:
        reasons.append(f"loops stopped: {', '.join(stopped)}")
    request.app[READY_LOG].report(reasons, cause)
    if reasons:
        return web.json_response({"status": "not ready", "reason": "; ".join(reasons)}, status=503)
    return web.json_response({"status": "ready", "loops": sorted(loops)})
