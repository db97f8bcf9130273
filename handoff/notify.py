"""Telling waiting customers their place in the queue as it moves."""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from typing import Any

from aiohttp import web

from bot.core import keys
from handoff.appkeys import ACCOUNTS, REDIS, SETTINGS, TICKETS
from handoff.hours import DEFAULT_MINUTES_PER_TICKET, OpeningHours, expected_wait_minutes
from handoff.tickets import outbox_add

NOTIFY_LOCK_SECONDS = 10


async def minutes_per_ticket(app: web.Application) -> float:
    """The measured average wait from handoff to claim, or the default before any claim."""
    stats = await app[REDIS].hmget(keys.STATS, "claims", "claim_wait_seconds")
    claims, seconds = (float(v) if v else 0.0 for v in stats)
    return seconds / claims / 60 if claims else DEFAULT_MINUTES_PER_TICKET


def waiting_state(position: int, online: int, minutes: float, hours: OpeningHours, now: float) -> dict[str, Any]:
    """What a customer at ``position`` is told: place, expected wait, and when people are back."""
    state: dict[str, Any] = {"state": "queued", "position": position,
                             "expected_wait_minutes": expected_wait_minutes(position, online, minutes)}
    at = datetime.fromtimestamp(now, tz=timezone.utc)
    if not hours.is_open(at):
        opening = hours.next_opening(at)
        days = (opening.date() - at.astimezone(hours.zone).date()).days
        state["reply_by"] = opening.isoformat()
        state["reply_day"] = {0: "today", 1: "tomorrow"}.get(days, opening.date().isoformat())
    return state


async def _queue_facts(app: web.Application, now: float) -> tuple[int, float]:
    """Moderators online and minutes per ticket: the same for every place in the queue."""
    return await app[ACCOUNTS].online_count(now), await minutes_per_ticket(app)


async def queue_state(app: web.Application, position: int, now: float | None = None) -> dict[str, Any]:
    now = time.time() if now is None else now
    online, minutes = await _queue_facts(app, now)
    return waiting_state(position, online, minutes, app[SETTINGS].opening_hours, now)


async def notify_queue(app: web.Application) -> int:
    """Queue an update for every waiting customer whose position or wait changed.

    One update runs at a time across replicas (a Redis lock), each reading the queue after
    the previous one finished: two claims at once on two replicas must not tell a customer
    the same place twice, or an older place last."""
    async with app[REDIS].lock(keys.NOTIFY_LOCK, timeout=NOTIFY_LOCK_SECONDS,
                               blocking_timeout=NOTIFY_LOCK_SECONDS):
        return await _notify_queue(app)


async def _notify_queue(app: web.Application) -> int:
    store, client = app[TICKETS], app[REDIS]
    now = time.time()
    online, minutes = await _queue_facts(app, now)
    sent = 0
    for position, ticket_id in enumerate(await store.queue(), start=1):
        state = waiting_state(position, online, minutes, app[SETTINGS].opening_hours, now)
        told = json.dumps(state, sort_keys=True)
        if await client.hget(keys.TOLD, ticket_id) == told:
            continue
        ticket = await store.get(ticket_id)
        async with client.pipeline(transaction=True) as pipe:
            pipe.hset(keys.TOLD, ticket_id, told)
            outbox_add(pipe, ticket, "queue", {"handoff": state})
            await pipe.execute()
        sent += 1
    return sent
