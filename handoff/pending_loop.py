"""The pending watcher: a task in every handoff service that makes pending tickets due when
their promised time comes (``handoff.pending``).

Every ``POLL_SECONDS`` it looks at ``keys.PENDING``; a pass runs only under ``keys.PENDING_LOCK``,
taken without waiting, so replicas never make the same ticket due twice at once (and a second
pass would find nothing left: each ticket's change is its own transaction).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from aiohttp import web

from bot.core import keys
from handoff import readiness
from handoff.appkeys import REDIS, TICKETS
from handoff.assigner import request_assign
from handoff.background import one_pass, periodic
from handoff.notify import request_notify
from handoff.pending_store import PendingTickets

logger = logging.getLogger(__name__)
POLL_SECONDS = 1.0  # how late after its promised time a ticket may become due
LOCK_SECONDS = 30  # a pass over a batch of due tickets takes well under a second


async def pending_step(app: web.Application, now: float | None = None) -> list[str] | None:
    """One look: make due what is due. None if another replica holds the lock; else the ids of the
    tickets that went back to the queue (their owner was away)."""
    async with one_pass(app[REDIS], keys.PENDING_LOCK, LOCK_SECONDS) as mine:
        if not mine:
            return None
        requeued = await PendingTickets(app[TICKETS]).come_due(now)
    if requeued:
        await request_notify(app)  # the queue changed: waiting customers' places moved
        await request_assign(app)  # offered to its team's available moderators (handoff.assigner)
    return requeued


async def pending_watcher(app: web.Application) -> AsyncIterator[None]:
    """``cleanup_ctx``: the watcher task for the app's lifetime (``handoff.background.periodic``)."""
    async with periodic(lambda: pending_step(app), POLL_SECONDS, "pending pass") as task:
        readiness.track(app, "pending", task)
        yield
