"""Reopening a resolved ticket instead of making a new one.

When a customer writes again within ``HANDOFF_REOPEN_MINUTES`` of their ticket's resolution and the
bot hands off again, the action server's ``POST /internal/tickets`` reopens that ticket; a moderator
may reopen any resolved ticket still kept (``POST /api/tickets/{id}/reopen``). A reopened ticket gets
``reopened_at`` and a "reopened" history entry; it goes straight back to its last owner when they are
available (``handoff.presence``: not busy, console seen lately), otherwise to the queue. One WATCH/MULTI
transaction on the ticket, the conversation's owner key and the client address's open tickets keeps the
rules of new tickets: one open ticket per conversation (Conflict) and, for the customer's own reopening,
the per-address cap (TooManyOpen).
"""

from __future__ import annotations

from typing import Any

from redis.exceptions import WatchError

from bot.core import keys
from bot.core.text import as_str
from handoff import clock
from handoff.admission import TicketCaps, queue_score
from handoff.errors import Conflict, NotFound, TooManyOpen
from handoff.history import record
from handoff.intake import RETRIES
from handoff.models import Ticket, TicketState
from handoff.presence import available
from handoff.tickets import TicketStore, outbox_add

REOPEN_MINUTES = 60  # HANDOFF_REOPEN_MINUTES: a handoff this soon after resolution reopens the ticket


def reopenable(ticket: Ticket, now: float, window_seconds: float) -> bool:
    """Whether a new handoff of the ticket's conversation reopens it rather than making a new ticket."""
    return (ticket.state == TicketState.RESOLVED and ticket.resolved_at is not None
            and 0 <= now - ticket.resolved_at <= window_seconds)


class Reopening:
    def __init__(self, client: Any, caps: TicketCaps, window_seconds: float = REOPEN_MINUTES * 60) -> None:
        self.redis = client
        self.caps = caps
        self.window_seconds = window_seconds

    async def recent_ticket(self, conversation_id: str, now: float) -> str | None:
        """The conversation's latest ticket when a handoff now would reopen it."""
        last = await self.redis.lindex(keys.conversation_tickets(conversation_id), -1)
        if not last:
            return None
        raw = await self.redis.hgetall(keys.ticket(as_str(last)))
        ok = raw and reopenable(Ticket.from_redis(_decode(raw)), now, self.window_seconds)
        return as_str(last) if ok else None

    async def reopen(self, ticket_id: str, by: str, now: float | None = None, *, notify: bool = False,
                     capped: bool = True) -> Ticket:
        """Back to its last owner if available, else to the queue. ``notify``: tell the customer (and pause
        the bot) through the outbox; the action server's handoff does that itself."""
        now = clock.now() if now is None else now
        ticket_key = keys.ticket(ticket_id)
        for _ in range(RETRIES):
            async with self.redis.pipeline(transaction=True) as pipe:
                try:
                    await pipe.watch(ticket_key)
                    ticket = await self._load(pipe, ticket_id)
                    owner_key, client_set = keys.owner_of_conversation(ticket.conversation_id), ""
                    if ticket.client_key:
                        client_set = keys.open_from_ip(ticket.client_key)
                    await pipe.watch(owner_key, *([client_set] if client_set else []))
                    await self._check(pipe, ticket, owner_key, client_set, capped)
                    available_now = bool(ticket.owner) and await available(self.redis, ticket.owner, now)
                    pipe.multi()
                    self._apply(pipe, ticket, by, now, available_now, notify)
                    await pipe.execute()
                    return ticket
                except WatchError:
                    continue
        raise Conflict(f"ticket {ticket_id} is changing too fast; try again")

    @staticmethod
    async def _load(pipe: Any, ticket_id: str) -> Ticket:
        raw = await pipe.hgetall(keys.ticket(ticket_id))
        if not raw:
            raise NotFound(f"ticket {ticket_id} not found")
        return Ticket.from_redis(_decode(raw))

    async def _check(self, pipe: Any, ticket: Ticket, owner_key: str, client_set: str, capped: bool) -> None:
        if ticket.state != TicketState.RESOLVED:
            raise Conflict(f"ticket {ticket.id} is not resolved")
        other = await pipe.get(owner_key)
        if other:
            raise Conflict(f"conversation {ticket.conversation_id} has another open ticket, {as_str(other)}")
        if capped and client_set and await pipe.scard(client_set) >= self.caps.max_open_per_client:
            raise TooManyOpen(f"{self.caps.max_open_per_client} tickets are open from this client address "
                              "already; the next one waits for those")

    @staticmethod
    def _apply(pipe: Any, t: Ticket, by: str, now: float, available_now: bool, notify: bool) -> None:
        t.reopened_at, t.resolved_at, t.outcome = now, None, ""
        if available_now:
            t.state, t.claimed_at = TicketState.ASSIGNED, now
        else:
            t.state, t.owner, t.owner_name, t.claimed_at = TicketState.QUEUED, "", "", None
            pipe.zadd(keys.QUEUE, {t.id: queue_score(now, t.reasons, t.exchanges, t.in_public)})
        pipe.hset(keys.ticket(t.id), mapping=t.to_redis())
        for key in (keys.ticket(t.id), keys.notes(t.id), keys.conversation_tickets(t.conversation_id)):
            pipe.persist(key)  # kept while open again (closing sets the retention time anew)
        pipe.set(keys.owner_of_conversation(t.conversation_id), t.id)
        pipe.sadd(keys.OPEN, t.id)
        if t.client_key:
            pipe.sadd(keys.open_from_ip(t.client_key), t.id)
        pipe.hincrby(keys.STATS, "tickets_reopened", 1)
        record(pipe, t.id, "reopened", by, now, to=t.owner)
        if notify:
            state = {"state": "human", "moderator": t.owner_name} if available_now else {"state": "queued"}
            outbox_add(pipe, t, "reopened", {"handoff": state})


async def reopen_or_create(store: TicketStore, reopening: Reopening, fields: dict[str, Any],
                           now: float | None = None) -> tuple[Ticket, bool, bool]:
    """A handoff: the conversation's ticket resolved within the window reopened, else ``TicketStore.create``
    (a new ticket or the open one). Returns the ticket, whether it is new or reopened, whether reopened."""
    now = clock.now() if now is None else now
    recent = await reopening.recent_ticket(fields["conversation_id"], now)
    if recent:
        try:
            return await reopening.reopen(recent, "", now), True, True
        except Conflict:  # another ticket opened meanwhile: the usual path finds it
            pass
    ticket, created = await store.create(**fields, now=now)
    return ticket, created, False


def _decode(raw: dict[Any, Any]) -> dict[str, str]:
    return {as_str(k): as_str(v) for k, v in raw.items()}
