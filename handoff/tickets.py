"""The ticket store: tickets, the waiting queue and who owns a conversation, in Redis.

Every change is one optimistic transaction (WATCH the ticket, check, MULTI/EXEC, retry
when another writer got there first), so two moderators claiming the same ticket get one
success and one Conflict, and a crash leaves either the old state or the new one. Each
change is also appended to the history stream, and what must reach Rasa (a reply, a
hand-back, a queue update) is put in the outbox stream in the same transaction.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import WatchError

from bot.core import keys, turns
from bot.core.text import as_str
from handoff.errors import Conflict, Forbidden, NotFound
from handoff.models import Outcome, Ticket, TicketState, priority_minutes, queue_score

HISTORY_MAX = 1_000_000
RETRIES = 20

Apply = Callable[[Any, Ticket], None]


class TicketStore:
    def __init__(self, client: Redis) -> None:
        self.redis: Any = client  # redis-py's annotations don't fit decode_responses clients

    # -- reading ---------------------------------------------------------------------------

    async def get(self, ticket_id: str) -> Ticket:
        raw = await self.redis.hgetall(keys.ticket(ticket_id))
        if not raw:
            raise NotFound(f"ticket {ticket_id} not found")
        return Ticket.from_redis(_decode(raw))

    async def open_ticket_of(self, conversation_id: str) -> Ticket | None:
        ticket_id = await self.redis.get(keys.owner_of_conversation(conversation_id))
        return await self.get(as_str(ticket_id)) if ticket_id else None

    async def queue(self) -> list[str]:
        """Waiting ticket ids, first served first."""
        return [as_str(t) for t in await self.redis.zrange(keys.QUEUE, 0, -1)]

    async def position(self, ticket_id: str) -> int | None:
        rank = await self.redis.zrank(keys.QUEUE, ticket_id)
        return None if rank is None else int(rank) + 1

    async def open_tickets(self) -> list[Ticket]:
        ids = [as_str(t) for t in await self.redis.smembers(keys.OPEN)]
        tickets = [await self.get(i) for i in ids]
        return sorted(tickets, key=lambda t: (t.state != TicketState.QUEUED, queue_score(t.created_at, t.reasons)))

    async def recent(self, limit: int = 100) -> list[Ticket]:
        ids = [as_str(t) for t in await self.redis.zrevrange(keys.ALL, 0, limit - 1)]
        return [await self.get(i) for i in ids]

    async def notes(self, ticket_id: str) -> list[dict[str, Any]]:
        return [json.loads(as_str(n)) for n in await self.redis.lrange(keys.notes(ticket_id), 0, -1)]

    async def history(self, ticket_id: str | None = None, count: int = 1000) -> list[dict[str, Any]]:
        entries = await self.redis.xrevrange(keys.HISTORY, count=count)
        out = [{k: as_str(v) for k, v in _decode(fields).items()} for _, fields in entries]
        return [e for e in reversed(out) if ticket_id is None or e.get("ticket") == ticket_id]

    # -- changing --------------------------------------------------------------------------

    async def create(self, conversation_id: str, channel: str, lang: str, customer_name: str, reasons: list[str],
                     evidence: list[dict[str, Any]], now: float | None = None) -> tuple[Ticket, bool]:
        """A new queued ticket for the conversation, or its open one (False) if it has one."""
        now = time.time() if now is None else now
        owner_key = keys.owner_of_conversation(conversation_id)
        for _ in range(RETRIES):
            async with self.redis.pipeline(transaction=True) as pipe:
                try:
                    await pipe.watch(owner_key)
                    existing = await pipe.get(owner_key)
                    if existing:
                        await pipe.reset()
                        return await self.get(as_str(existing)), False
                    number = int(await self.redis.incr(keys.TICKET_SEQ))
                    ticket = Ticket(
                        id=f"T{number:06d}", conversation_id=conversation_id, channel=channel, lang=lang,
                        customer_name=customer_name, reasons=reasons, evidence=evidence,
                        state=TicketState.QUEUED, created_at=now, priority=priority_minutes(reasons),
                    )
                    pipe.multi()
                    pipe.hset(keys.ticket(ticket.id), mapping=ticket.to_redis())
                    pipe.set(owner_key, ticket.id)
                    pipe.rpush(keys.conversation_tickets(conversation_id), ticket.id)
                    pipe.zadd(keys.QUEUE, {ticket.id: queue_score(now, reasons)})
                    pipe.sadd(keys.OPEN, ticket.id)
                    pipe.zadd(keys.ALL, {ticket.id: now})
                    pipe.hincrby(keys.STATS, "tickets_created", 1)
                    _record(pipe, ticket.id, "created", "", now, reasons=",".join(reasons))
                    await pipe.execute()
                    return ticket, True
                except WatchError:
                    continue
        raise Conflict(f"conversation {conversation_id} is changing too fast; try again")

    async def _change(self, ticket_id: str, check: Callable[[Ticket], None], apply: Apply,
                      extra_watch: tuple[str, ...] = ()) -> Ticket:
        key = keys.ticket(ticket_id)
        for _ in range(RETRIES):
            async with self.redis.pipeline(transaction=True) as pipe:
                try:
                    await pipe.watch(key, *extra_watch)
                    raw = await pipe.hgetall(key)
                    if not raw:
                        raise NotFound(f"ticket {ticket_id} not found")
                    ticket = Ticket.from_redis(_decode(raw))
                    check(ticket)
                    pipe.multi()
                    apply(pipe, ticket)
                    pipe.hset(key, mapping=ticket.to_redis())
                    await pipe.execute()
                    return ticket
                except WatchError:
                    continue
        raise Conflict(f"ticket {ticket_id} is changing too fast; try again")

    async def claim(self, ticket_id: str, login: str, display_name: str, now: float | None = None) -> Ticket:
        now = time.time() if now is None else now

        def check(t: Ticket) -> None:
            if t.state == TicketState.RESOLVED:
                raise Conflict(f"ticket {ticket_id} is resolved")
            if t.state == TicketState.ASSIGNED:
                raise Conflict(f"ticket {ticket_id} is already claimed by {t.owner_name or t.owner}")

        def apply(pipe: Any, t: Ticket) -> None:
            t.state, t.owner, t.owner_name, t.claimed_at = TicketState.ASSIGNED, login, display_name, now
            pipe.zrem(keys.QUEUE, ticket_id)
            pipe.hincrby(keys.STATS, "claims", 1)
            pipe.hincrbyfloat(keys.STATS, "claim_wait_seconds", now - t.created_at)
            _record(pipe, ticket_id, "claimed", login, now)
            outbox_add(pipe, t, "status", {"handoff": {"state": "human", "moderator": display_name}})

        return await self._change(ticket_id, check, apply)

    async def transfer(self, ticket_id: str, login: str, to_login: str, to_name: str, is_admin: bool = False,
                       now: float | None = None) -> Ticket:
        now = time.time() if now is None else now

        def check(t: Ticket) -> None:
            _require_owner(t, login, is_admin)

        def apply(pipe: Any, t: Ticket) -> None:
            t.owner, t.owner_name = to_login, to_name
            _record(pipe, ticket_id, "transferred", login, now, to=to_login)
            outbox_add(pipe, t, "status", {"handoff": {"state": "human", "moderator": to_name}})

        return await self._change(ticket_id, check, apply)

    async def reply(self, ticket_id: str, login: str, display_name: str, text: str,
                    now: float | None = None) -> Ticket:
        """Queue the moderator's reply for the customer's channel."""
        now = time.time() if now is None else now

        def check(t: Ticket) -> None:
            _require_owner(t, login, False)

        def apply(pipe: Any, t: Ticket) -> None:
            if t.first_response_at is None:
                t.first_response_at = now
                pipe.hincrby(keys.STATS, "first_responses", 1)
                pipe.hincrbyfloat(keys.STATS, "first_response_seconds", now - t.created_at)
            _record(pipe, ticket_id, "replied", login, now)
            outbox_add(pipe, t, "reply", {"text": text, "moderator": login, "moderator_name": display_name})

        return await self._change(ticket_id, check, apply)

    async def close(self, ticket_id: str, login: str, outcome: Outcome, is_admin: bool = False,
                    farewell: str = "", now: float | None = None) -> Ticket:
        """Resolve or hand back: the ticket is closed and the bot owns the conversation again."""
        now = time.time() if now is None else now

        def check(t: Ticket) -> None:
            if t.state == TicketState.QUEUED and is_admin:
                return
            _require_owner(t, login, is_admin)

        def apply(pipe: Any, t: Ticket) -> None:
            t.state, t.resolved_at, t.outcome = TicketState.RESOLVED, now, outcome.value
            pipe.zrem(keys.QUEUE, ticket_id)
            pipe.srem(keys.OPEN, ticket_id)
            pipe.delete(keys.owner_of_conversation(t.conversation_id))
            pipe.hincrby(keys.STATS, f"closed_{outcome.value}", 1)
            pipe.hincrbyfloat(keys.STATS, "resolution_seconds", now - t.created_at)
            _record(pipe, ticket_id, outcome.value, login, now)
            outbox_add(pipe, t, "handback", {"text": farewell})

        return await self._change(ticket_id, check, apply)

    async def add_note(self, ticket_id: str, login: str, text: str, now: float | None = None) -> dict[str, Any]:
        now = time.time() if now is None else now
        await self.get(ticket_id)
        note = {"author": login, "text": text, "at": now}
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.rpush(keys.notes(ticket_id), json.dumps(note, ensure_ascii=False))
            _record(pipe, ticket_id, "note", login, now)
            await pipe.execute()
        return note

    async def set_tags(self, ticket_id: str, login: str, tags: list[str], now: float | None = None) -> Ticket:
        now = time.time() if now is None else now

        def apply(pipe: Any, t: Ticket) -> None:
            t.tags = tags
            _record(pipe, ticket_id, "tagged", login, now, tags=",".join(tags))

        return await self._change(ticket_id, lambda t: None, apply)


def _require_owner(ticket: Ticket, login: str, is_admin: bool) -> None:
    if ticket.state == TicketState.RESOLVED:
        raise Conflict(f"ticket {ticket.id} is resolved")
    if ticket.state == TicketState.QUEUED:
        raise Conflict(f"ticket {ticket.id} is not claimed; claim it first")
    if ticket.owner != login and not is_admin:
        raise Forbidden(f"ticket {ticket.id} belongs to {ticket.owner_name or ticket.owner}")


def _record(pipe: Any, ticket_id: str, action: str, login: str, now: float, **extra: str) -> None:
    pipe.xadd(keys.HISTORY, {"ticket": ticket_id, "action": action, "by": login, "at": repr(now), **extra},
              maxlen=HISTORY_MAX, approximate=True)
    pipe.publish(keys.LIVE, json.dumps({"ticket": ticket_id, "action": action}))


def outbox_add(pipe: Any, ticket: Ticket, kind: str, payload: dict[str, Any]) -> None:
    """Queue what the customer must get, in the conversation's order (``bot.core.turns``)."""
    fields = {"kind": kind, "ticket": ticket.id, "conversation_id": ticket.conversation_id, "lang": ticket.lang,
              "payload": json.dumps(payload, ensure_ascii=False)}
    turns.add(pipe, keys.OUTBOX, keys.outbox_order(ticket.conversation_id), fields)



def _decode(raw: dict[Any, Any]) -> dict[str, str]:
    return {as_str(k): as_str(v) for k, v in raw.items()}
