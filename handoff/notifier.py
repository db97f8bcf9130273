"""The queue notifier: a task in every handoff service that tells waiting customers their new
place after the queue changed, and moves held-back tickets into the queue as the rate allows.

A change sets ``keys.NOTIFY_DUE`` and wakes the local task (``handoff.notify.request_notify``);
every task also looks each ``POLL_SECONDS``, which picks up changes made on other replicas. A
pass runs only under ``keys.NOTIFY_LOCK``, taken without waiting: a replica that finds it held
leaves the flag to the holder's next look. The flag is cleared before a pass reads the queue,
so a change made during a pass gets a pass of its own, and a burst of changes gets one or two.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from aiohttp import web
from redis.exceptions import RedisError

from bot.core import keys
from handoff import readiness
from handoff.appkeys import NOTIFY_WAKE, REDIS, TICKETS
from handoff.background import one_pass, periodic
from handoff.notify import NOTIFY_LOCK_SECONDS, notify_pass

logger = logging.getLogger(__name__)
POLL_SECONDS = 1.0  # the longest a change made on another replica waits to be told
# Expected waits move with the recent service rate and who is available, not only with the queue:
# a pass this often tells those whose wait dropped a step (``handoff.notify.worth_telling``).
REFRESH_SECONDS = 60


async def notify_step(app: web.Application) -> int | None:
    """One look: release held-back tickets, then one pass if one is due. None if another replica
    holds the lock; else how many customers were told something."""
    client = app[REDIS]
    async with one_pass(client, keys.NOTIFY_LOCK, NOTIFY_LOCK_SECONDS) as mine:
        if not mine:
            return None
        released = await app[TICKETS].release_overflow()
        due = await client.getdel(keys.NOTIFY_DUE) or released
        if not due and not await client.set(keys.NOTIFY_FRESH, "1", nx=True, ex=REFRESH_SECONDS):
            return 0
        try:
            return await notify_pass(app)
        except RedisError:
            await client.set(keys.NOTIFY_DUE, "1")  # not told: due again
            raise


async def queue_notifier(app: web.Application) -> AsyncIterator[None]:
    """``cleanup_ctx``: the notifier task for the app's lifetime (``handoff.background.periodic``)."""
    app[NOTIFY_WAKE] = asyncio.Event()
    async with periodic(lambda: notify_step(app), POLL_SECONDS, "queue update", app[NOTIFY_WAKE]) as task:
        readiness.track(app, "notifier", task)
        yield
