"""The shift handover: what the next shift must know, from Redis alone.

Open tickets by owner (the queue under "") with how long each has waited, tickets whose owner
promised a time (``pending_until``, ``handoff.pending``) due within the next ``HANDOFF_SHIFT_HOURS``,
and the notes marked important on open tickets and on tickets made during the last shift. The
console turns it into a page and a plain-text copy (``static/console/handover.js``).
"""

from __future__ import annotations

import json
from typing import Any

from bot.core import keys
from bot.core.text import as_str
from handoff.models import Ticket

SHIFT_HOURS = 8  # HANDOFF_SHIFT_HOURS
MAX_RECENT = 500  # tickets of the last shift whose notes are read, newest first


def waited_seconds(ticket: Ticket, now: float) -> int:
    """How long the customer has waited on this ticket (since it was made, or last reopened)."""
    return max(0, round(now - (ticket.reopened_at or ticket.created_at)))


def by_owner(tickets: list[Ticket], now: float) -> list[dict[str, Any]]:
    """Open tickets grouped by owner (the queue, owner "", first), longest waiting first in each."""
    groups: dict[str, list[Ticket]] = {}
    for ticket in tickets:
        groups.setdefault(ticket.owner, []).append(ticket)
    return [{"owner": owner, "owner_name": group[0].owner_name,
             "tickets": [_line(t, now) for t in sorted(group, key=lambda t: -waited_seconds(t, now))]}
            for owner, group in sorted(groups.items())]


def due_within(tickets: list[Ticket], now: float, hours: int) -> list[dict[str, Any]]:
    """Tickets with a promised time before the end of the next shift (overdue ones too), soonest first."""
    end = now + hours * 3600
    due = [t for t in tickets if t.pending_until is not None and t.pending_until <= end]
    return [{**_line(t, now), "pending_until": t.pending_until}
            for t in sorted(due, key=lambda t: t.pending_until or 0)]


def _line(ticket: Ticket, now: float) -> dict[str, Any]:
    return {"id": ticket.id, "customer_name": ticket.customer_name, "channel": ticket.channel,
            "state": ticket.state.value, "owner": ticket.owner, "owner_name": ticket.owner_name,
            "waited_seconds": waited_seconds(ticket, now)}


async def important_notes(redis: Any, ticket_ids: list[str]) -> list[dict[str, Any]]:
    """The important notes of the given tickets, oldest first."""
    async with redis.pipeline(transaction=False) as pipe:
        for ticket_id in ticket_ids:
            pipe.lrange(keys.notes(ticket_id), 0, -1)
        lists = await pipe.execute()
    found = [{**note, "ticket": ticket_id} for ticket_id, raw in zip(ticket_ids, lists, strict=True)
             for note in (json.loads(as_str(n)) for n in raw) if note.get("important")]
    return sorted(found, key=lambda n: float(n.get("at", 0)))


async def handover(store: Any, redis: Any, now: float, shift_hours: int) -> dict[str, Any]:
    open_tickets = await store.open_tickets()
    recent = [as_str(t) for t in await redis.zrevrangebyscore(keys.ALL, "+inf", repr(now - shift_hours * 3600),
                                                              start=0, num=MAX_RECENT)]
    ids = list(dict.fromkeys([t.id for t in open_tickets] + recent))
    return {"now": now, "shift_hours": shift_hours, "owners": by_owner(open_tickets, now),
            "due": due_within(open_tickets, now, shift_hours), "notes": await important_notes(redis, ids)}
