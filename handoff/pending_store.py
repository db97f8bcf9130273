"""Pending tickets in Redis: mark one pending, resume it, and make the ones whose time came due.

Each change is one of the ticket store's transactions (``TicketStore.change``), so a promise
and its message to the customer (outbox kind "pending") are stored together or not at all.
"""

from __future__ import annotations

from typing import Any

from bot.core import keys
from bot.core.text import as_str
from handoff import clock, presence
from handoff.errors import Conflict, NotFound
from handoff.history import record
from handoff.models import Ticket, TicketState
from handoff.pending import clear_pending, mark_pending
from handoff.tickets import TicketStore, outbox_add, require_owner

DUE_BATCH = 100  # pending tickets made due in one pass at most; the next pass takes the rest


class PendingTickets:
    def __init__(self, store: TicketStore) -> None:
        self.store = store
        self.redis: Any = store.redis

    async def set(self, ticket_id: str, login: str, display_name: str, until: float, message: str,
                  now: float | None = None) -> Ticket:
        """The owner promises to come back by ``until``; the customer gets ``message``, signed."""
        now = clock.now() if now is None else now

        def apply(pipe: Any, t: Ticket) -> None:
            mark_pending(pipe, t, until, message)
            record(pipe, ticket_id, "pending", login, now, until=str(until))
            outbox_add(pipe, t, "pending", {"text": message, "moderator": login, "moderator_name": display_name,
                                            "pending_until": until})

        return await self.store.change(ticket_id, lambda t: require_owner(t, login, False), apply)

    async def resume(self, ticket_id: str, login: str, now: float | None = None) -> Ticket:
        """The owner takes the ticket up again before (or when) the time comes."""
        now = clock.now() if now is None else now

        def check(t: Ticket) -> None:
            require_owner(t, login, False)
            if t.pending_until is None:
                raise Conflict(f"ticket {ticket_id} is not pending")

        def apply(pipe: Any, t: Ticket) -> None:
            clear_pending(pipe, t)
            record(pipe, ticket_id, "resumed", login, now)

        return await self.store.change(ticket_id, check, apply)

    async def come_due(self, now: float | None = None) -> list[str]:
        """Pending tickets whose time came: due in their owner's list, or back in the queue (its team
        keeps it: ``handoff.teams``) when the owner is away. Returns the ids of the requeued tickets."""
        now = clock.now() if now is None else now
        ids = [as_str(i) for i in await self.redis.zrangebyscore(keys.PENDING, "-inf", now, start=0, num=DUE_BATCH)]
        requeued = []
        for ticket_id in ids:
            try:
                ticket = await self.store.get(ticket_id)
            except NotFound:  # expired meanwhile
                await self.redis.zrem(keys.PENDING, ticket_id)
                continue
            if await self._due(ticket, await self.away(ticket.owner, now), now):
                requeued.append(ticket_id)
        return requeued

    async def away(self, login: str, now: float) -> bool:
        """Chose "away", or no console of theirs seen lately (``handoff.presence``)."""
        return not login or await presence.status(self.redis, login, now) == "away"

    async def _due(self, ticket: Ticket, away: bool, now: float) -> bool:
        back_to_queue = False

        def apply(pipe: Any, t: Ticket) -> None:
            nonlocal back_to_queue
            pipe.zrem(keys.PENDING, t.id)
            if t.state != TicketState.ASSIGNED or t.pending_until is None or t.pending_until > now:
                return  # resumed, replied to or closed meanwhile
            pipe.sadd(keys.DUE, t.id)
            if away:
                back_to_queue = True
                record(pipe, t.id, "pending_due_requeued", t.owner, now)
                t.state, t.owner, t.owner_name, t.claimed_at = TicketState.QUEUED, "", "", None
                pipe.zadd(keys.QUEUE, {t.id: t.created_at})  # its old place: served before later tickets
            else:
                record(pipe, t.id, "pending_due", t.owner, now)

        await self.store.change(ticket.id, lambda t: None, apply)
        return back_to_queue
