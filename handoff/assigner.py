"""Automatic assignment: a task in every handoff service that gives waiting tickets of a team to its
least-loaded available member (``handoff.assignment.choose``), and takes back the automatic tickets
nobody answered in time.

A new ticket, a resolution, a status, capacity or team change sets ``keys.ASSIGN_DUE`` and wakes the
local task (``request_assign``); every task also looks each ``POLL_SECONDS`` (changes made on other
replicas) and makes a full pass each ``SWEEP_SECONDS`` (timeouts, consoles that went away or came back).
A pass runs only under ``keys.ASSIGN_LOCK``, taken without waiting, as the queue notifier's does.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web
from redis.exceptions import RedisError

from bot.core import keys
from bot.core.text import as_str
from handoff import clock, readiness
from handoff.admission import queue_score
from handoff.appkeys import ACCOUNTS, REDIS, SETTINGS, TICKETS
from handoff.assignment import Member, choose, timed_out
from handoff.background import one_pass, periodic
from handoff.errors import HandoffError
from handoff.models import Ticket, TicketState
from handoff.notify import request_notify
from handoff.presence import capacities, statuses
from handoff.teams import Team, Teams

logger = logging.getLogger(__name__)
POLL_SECONDS = 1.0  # the longest a change made on another replica waits for its pass
SWEEP_SECONDS = 15.0  # timeouts and presence changes are looked at this often
ASSIGN_LOCK_SECONDS = 30
ASSIGN_WAKE = web.AppKey("assign_wake", asyncio.Event)


async def request_assign(app: web.Application) -> None:
    """Something changed that may let a waiting ticket be assigned: some replica's assigner looks soon."""
    await app[REDIS].set(keys.ASSIGN_DUE, "1")
    if ASSIGN_WAKE in app:
        app[ASSIGN_WAKE].set()


async def assign_pass(app: web.Application, now: float | None = None) -> int:
    """Take back unanswered automatic tickets, then assign waiting ones; how many were assigned.
    Call it holding ``keys.ASSIGN_LOCK``."""
    now = clock.now() if now is None else now
    taken_back = await _take_back_late(app, now)
    teams = {t.name: t for t in await Teams(app[REDIS]).all()}
    assigned = await _assign_waiting(app, teams, now) if teams else 0
    if taken_back or assigned:
        await request_notify(app)  # places in the queue moved
    return assigned


async def _take_back_late(app: web.Application, now: float) -> int:
    client, store = app[REDIS], app[TICKETS]
    timeout, count = app[SETTINGS].assignment.assignee_timeout_seconds, 0
    for ticket_id, raw in (await client.hgetall(keys.AUTO_ASSIGNED)).items():
        ticket_id, entry = as_str(ticket_id), json.loads(as_str(raw))
        try:
            ticket = await store.get(ticket_id)
        except HandoffError:
            ticket = None
        if ticket is None or ticket.state != TicketState.ASSIGNED or ticket.owner != entry["login"] \
                or ticket.first_response_at is not None:
            await client.hdel(keys.AUTO_ASSIGNED, ticket_id)  # answered, moved or closed: no longer ours to watch
        elif timed_out(entry["at"], False, now, timeout):
            score = queue_score(ticket.created_at, ticket.reasons, ticket.exchanges, ticket.in_public)
            with contextlib.suppress(HandoffError):  # answered just now: the next pass forgets it
                await store.take_back(ticket_id, entry["login"], score, now)
                count += 1
    return count


async def _assign_waiting(app: web.Application, teams: dict[str, Team], now: float) -> int:
    client, store, limits = app[REDIS], app[TICKETS], app[SETTINGS].assignment
    queued = {as_str(t) for t in await client.zrange(keys.QUEUE, 0, -1)}  # held-back ones wait their turn
    tickets = await store.open_tickets()
    loads = Counter(t.owner for t in tickets if t.state == TicketState.ASSIGNED)
    logins = sorted({m for team in teams.values() for m in team.members})
    status = await statuses(client, logins, now, limits.presence_seconds)
    capacity = await capacities(client, logins, limits.default_capacity)
    last = dict(zip(logins, await client.hmget(keys.LAST_ASSIGNED, logins), strict=True)) if logins else {}
    assigned = 0
    for ticket in (t for t in tickets if t.id in queued and t.team in teams):
        members = [Member(m, status[m] == "available", loads[m], capacity[m], float(last[m] or 0))
                   for m in teams[ticket.team].members]
        if choose(members) is None:
            continue  # nobody in its team has room: no need to read whom it passed over
        passed = {as_str(x) for x in await client.smembers(keys.passed_over(ticket.id))}
        login = choose(members, passed)
        if login and await _give(app, ticket, login, now):
            loads[login] += 1
            last[login] = repr(now)
            assigned += 1
    return assigned


async def _give(app: web.Application, ticket: Ticket, login: str, now: float) -> bool:
    try:
        account = await app[ACCOUNTS].get(login)
        await app[TICKETS].claim(ticket.id, login, account.display_name, now, automatically=True)
    except HandoffError as e:  # claimed by hand meanwhile, or the account went
        logger.info("ticket %s not assigned to %s: %s", ticket.id, login, e)
        return False
    logger.info("ticket %s assigned to %s", ticket.id, login)
    return True


async def assign_step(app: web.Application, sweep: bool = False) -> int | None:
    """One look: a pass if one is due (or ``sweep``). None if another replica holds the lock."""
    client: Any = app[REDIS]
    async with one_pass(client, keys.ASSIGN_LOCK, ASSIGN_LOCK_SECONDS) as mine:
        if not mine:
            return None
        if not await client.getdel(keys.ASSIGN_DUE) and not sweep:
            return 0
        try:
            return await assign_pass(app)
        except RedisError:
            await client.set(keys.ASSIGN_DUE, "1")  # not done: due again
            raise


async def assigner(app: web.Application) -> AsyncIterator[None]:
    """``cleanup_ctx``: the assigner task for the app's lifetime (``handoff.background.periodic``):
    a look each ``POLL_SECONDS`` or when woken, a full pass each ``SWEEP_SECONDS``."""
    app[ASSIGN_WAKE], loop = asyncio.Event(), asyncio.get_running_loop()
    next_sweep = loop.time()

    async def step() -> None:
        nonlocal next_sweep
        sweep = loop.time() >= next_sweep
        if await assign_step(app, sweep) is not None and sweep:
            next_sweep = loop.time() + clock.real_seconds(SWEEP_SECONDS)

    async with periodic(step, POLL_SECONDS, "assignment pass", app[ASSIGN_WAKE]) as task:
        readiness.track(app, "assigner", task)
        yield
