"""Telling waiting customers their place in the queue as it moves.

Changes to the queue only ask for an update (``request_notify``); the notifier task
(``handoff.notifier``) runs the passes, so opening or claiming a ticket never waits for one,
and a burst of changes is told in one pass.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from aiohttp import web
from redis.exceptions import WatchError

from bot.core import keys
from bot.core.text import as_str
from handoff import clock
from handoff.appkeys import NOTIFY_WAKE, REDIS, SETTINGS, TICKETS
from handoff.hours import OpeningHours
from handoff.models import Ticket, TicketState
from handoff.tickets import outbox_add
from handoff.wait_estimate import (
    available_count,
    expected_wait_minutes,
    minutes_per_reply,
    owed_replies,
    recent_reply_seconds,
)

logger = logging.getLogger(__name__)
NOTIFY_LOCK_SECONDS = 10  # a pass over thousands of waiting tickets takes well under a second
# A new ticket's place is told by the response that opened it, which writes ``keys.TOLD`` just
# after; a pass leaves an untold ticket this long to it (longer: that request died, so tell it).
TOLD_GRACE_SECONDS = 30
RETRIES = 5


@dataclass(frozen=True)
class QueueFacts:
    """What every waiting customer's estimate is made of, read once per pass (``handoff.wait_estimate``)."""
    available: int  # moderators available now
    per_reply: float  # one reply's time lately, minutes
    owed: int  # customers with a moderator still owed a reply


def waiting_state(position: int, facts: QueueFacts, hours: OpeningHours, now: float) -> dict[str, Any]:
    """What a customer at ``position`` is told: place, expected wait (none while nobody is
    available, ``handoff.wait_estimate``), and when people are back."""
    state: dict[str, Any] = {"state": "queued", "position": position}
    minutes = expected_wait_minutes(facts.owed + position - 1, facts.available, facts.per_reply)
    if minutes is not None:
        state["expected_wait_minutes"] = minutes
    at = datetime.fromtimestamp(now, tz=timezone.utc)
    if not hours.is_open(at):
        opening = hours.next_opening(at)
        days = (opening.date() - at.astimezone(hours.zone).date()).days
        state["reply_by"] = opening.isoformat()
        state["reply_day"] = {0: "today", 1: "tomorrow"}.get(days, opening.date().isoformat())
    return state


async def queue_facts(app: web.Application, now: float) -> QueueFacts:
    """The same for every place in the queue: who is available, the recent reply time, the replies owed."""
    settings, client = app[SETTINGS], app[REDIS]
    seconds = await recent_reply_seconds(client, now, settings.wait.window_minutes)
    available = await available_count(client, now, settings.assignment.presence_seconds)
    return QueueFacts(available, minutes_per_reply(seconds), owed_replies(await app[TICKETS].open_tickets()))


async def queue_state(app: web.Application, position: int, now: float | None = None) -> dict[str, Any]:
    now = clock.now() if now is None else now
    return waiting_state(position, await queue_facts(app, now), app[SETTINGS].opening_hours, now)


def queue_updates(waiting: list[str], told: Mapping[str, str], state_at: Callable[[int], dict[str, Any]],
                  untold_skipped: Collection[str] = ()) -> list[tuple[str, dict[str, Any]]]:
    """The waiting tickets (first served first) whose state differs from what they were last
    told, with the new state. ``untold_skipped``: new tickets whose opening response tells them."""
    updates = []
    for position, ticket_id in enumerate(waiting, start=1):
        if ticket_id in untold_skipped:
            continue
        state = state_at(position)
        if worth_telling(told.get(ticket_id), state):
            updates.append((ticket_id, state))
    return updates


def worth_telling(told: str | None, state: dict[str, Any]) -> bool:
    """Tell a new place, new hours, or an expected wait that dropped a step (or appeared or went):
    an estimate that only grew while the customer's place stayed is held back until the place moves,
    so a moderator stepping away for a minute does not send every waiting customer a message."""
    if told is None:
        return True
    before = json.loads(told)
    old, new = before.pop("expected_wait_minutes", None), state.get("expected_wait_minutes")
    rest = {k: v for k, v in state.items() if k != "expected_wait_minutes"}
    if before != rest or (old is None) != (new is None):
        return True
    return new is not None and new < old


def told_form(state: dict[str, Any]) -> str:
    """How a told state is kept in ``keys.TOLD`` (and compared)."""
    return json.dumps(state, sort_keys=True)


async def request_notify(app: web.Application) -> None:
    """The queue changed: some replica's notifier tells the customers whose place moved, soon,
    without holding up the request that changed it (``handoff.notifier``)."""
    await app[REDIS].set(keys.NOTIFY_DUE, "1")
    app[NOTIFY_WAKE].set()


async def notify_queue(app: web.Application) -> int:
    """One update pass now, waiting for the lock; how many customers were told something."""
    async with app[REDIS].lock(keys.NOTIFY_LOCK, timeout=NOTIFY_LOCK_SECONDS,
                               blocking_timeout=NOTIFY_LOCK_SECONDS):
        return await notify_pass(app)


async def notify_pass(app: web.Application, now: float | None = None) -> int:
    """Tell each waiting customer whose place or wait changed. Call it holding ``keys.NOTIFY_LOCK``:
    one pass at a time across replicas, each reading the queue after the previous one wrote, so
    nobody is told the same place twice or an older place last. Redis round trips and outbox
    entries grow with the customers told, not with the queue."""
    now = clock.now() if now is None else now
    client = app[REDIS]
    facts, hours = await queue_facts(app, now), app[SETTINGS].opening_hours

    def state_at(position: int) -> dict[str, Any]:
        return waiting_state(position, facts, hours, now)

    for _ in range(RETRIES):
        async with client.pipeline(transaction=True) as read:
            read.zrange(keys.QUEUE, 0, -1)
            read.zrange(keys.OVERFLOW, 0, -1)
            read.hgetall(keys.TOLD)
            queued, held, told = await read.execute()
        waiting = [as_str(t) for t in [*queued, *held]]
        told = {as_str(k): as_str(v) for k, v in told.items()}
        fresh = await _being_told(client, [t for t in waiting if t not in told], now)
        updates = queue_updates(waiting, told, state_at, fresh)
        gone = set(told) - set(waiting)
        sent = await _tell(client, updates, gone)
        if sent is not None:
            return sent
    logger.warning("queue positions changed during %d passes in a row; the next pass tells them", RETRIES)
    await client.set(keys.NOTIFY_DUE, "1")
    return 0


async def _being_told(client: Any, untold: list[str], now: float) -> set[str]:
    """New tickets whose opening response is telling them their place right now."""
    async with client.pipeline(transaction=False) as pipe:
        for ticket_id in untold:
            pipe.hget(keys.ticket(ticket_id), "created_at")
        created = await pipe.execute()
    return {t for t, at in zip(untold, created, strict=True) if at and now - float(at) < TOLD_GRACE_SECONDS}


async def _tell(client: Any, updates: list[tuple[str, dict[str, Any]]], gone: set[str]) -> int | None:
    """Write the updates and what they were told in one transaction; None if one of the tickets
    changed meanwhile (claimed: it must not get a queue update after "Anna joined")."""
    ticket_keys = [keys.ticket(t) for t, _ in updates]
    async with client.pipeline(transaction=True) as pipe:
        try:
            if ticket_keys:
                await pipe.watch(*ticket_keys)
            async with client.pipeline(transaction=False) as read:
                for key in ticket_keys:
                    read.hgetall(key)
                raw = await read.execute()
            pipe.multi()
            sent = 0
            for (ticket_id, state), fields in zip(updates, raw, strict=True):
                ticket = Ticket.from_redis({as_str(k): as_str(v) for k, v in fields.items()}) if fields else None
                if ticket is None or ticket.state != TicketState.QUEUED:
                    continue
                pipe.hset(keys.TOLD, ticket_id, told_form(state))
                if ticket.in_public:
                    continue  # no queue positions in a public comment thread (it was told a person will answer)
                outbox_add(pipe, ticket, "queue", {"handoff": state})
                sent += 1
            if gone:
                pipe.hdel(keys.TOLD, *gone)
            await pipe.execute()
            return sent
        except WatchError:
            return None
