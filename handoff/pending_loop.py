"""The pending watcher: a task in every handoff service that makes pending tickets due when
their promised time comes (``handoff.pending``).

Every ``POLL_SECONDS`` it looks at ``keys.PENDING``; a pass runs only under ``keys.PENDING_LOCK``,
taken without waiting, so replicas never make the same ticket due twice at once (and a second
pass would find nothing left: each ticket's change is its own transaction).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web
from redis.exceptions import LockError, RedisError

from bot.core import keys
from handoff.appkeys import REDIS, TICKETS
from handoff.assigner import request_assign
from handoff.notify import request_notify
from handoff.pending_store import PendingTickets

logger = logging.getLogger(__name__)
POLL_SECONDS = 1.0  # how late after its promised time a ticket may become due
LOCK_SECONDS = 30  # a pass over a batch of due tickets takes well under a second


async def pending_step(app: web.Application, now: float | None = None) -> list[str] | None:
    """One look: make due what is due. None if another replica holds the lock; else the ids of the
    tickets that went back to the queue (their owner was away)."""
    lock = app[REDIS].lock(keys.PENDING_LOCK, timeout=LOCK_SECONDS)
    if not await lock.acquire(blocking=False):
        return None
    try:
        requeued = await PendingTickets(app[TICKETS]).come_due(now)
    finally:
        with contextlib.suppress(LockError):
            await lock.release()
    if requeued:
        await request_notify(app)  # the queue changed: waiting customers' places moved
        await request_assign(app)  # offered to its team's available moderators (handoff.assigner)
    return requeued


async def _run(app: web.Application, stop: asyncio.Event) -> None:
    while not stop.is_set():
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), POLL_SECONDS)
        try:
            await pending_step(app)
        except RedisError as e:  # Redis away for a moment: the next look retries
            logger.warning("pending pass failed: %s", e)


async def pending_watcher(app: web.Application) -> AsyncIterator[None]:
    """``cleanup_ctx``: the watcher task for the app's lifetime (stopped by flag, then cancelled:
    ``handoff.background``)."""
    stop = asyncio.Event()
    task = asyncio.create_task(_run(app, stop))
    yield
    stop.set()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
