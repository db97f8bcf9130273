"""The ticket store: tickets, the waiting queue and who owns a conversation, in Redis.

Every change is one optimistic transaction (WATCH the ticket, check, MULTI/EXEC, retry
when another writer got there first), so two moderators claiming the same ticket get one
success and one Conflict, and a crash leaves either the old state or the new one. Each
change is also appended to the history stream, and what must reach Rasa (a reply, a
hand-back, a queue update) is put in the outbox stream in the same transaction. How a ticket
is made and joins the queue (the caps, the overflow) is ``handoff.intake``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import WatchError

from bot.core import keys, turns
from bot.core.text import as_str
from handoff import clock
from handoff.admission import TicketCaps
from handoff.durations import observe
from handoff.errors import Conflict, Forbidden, NotFound
from handoff.history import record
from handoff.intake import RETRIES, Intake
from handoff.models import Outcome, Ticket, TicketState
from handoff.pending import clear_pending
from handoff.ratings import survey_buttons, wants_survey
from handoff.retention import DAY, TICKETS_DAYS
from handoff.sla import late
from handoff.wait_estimate import last_reply, record_reply, service_seconds

Apply = Callable[[Any, Ticket], None]


class TicketStore:
    def __init__(self, client: Redis, retention_seconds: int = TICKETS_DAYS * DAY,
                 caps: TicketCaps | None = None) -> None:
        self.redis: Any = client  # redis-py's annotations don't fit decode_responses clients
        self.retention_seconds = retention_seconds  # a resolved ticket's keys live this long (handoff.retention)
        self.caps = caps or TicketCaps()  # how many tickets join the queue, and from one address
        self.intake = Intake(client, self.caps)

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
        """Waiting ticket ids, first served first: the queue, then the held-back ones."""
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zrange(keys.QUEUE, 0, -1)
            pipe.zrange(keys.OVERFLOW, 0, -1)
            queued, held = await pipe.execute()
        return [as_str(t) for t in [*queued, *held]]

    async def position(self, ticket_id: str) -> int | None:
        """Place among the waiting (a held-back ticket after the whole queue), None if not waiting."""
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zrank(keys.QUEUE, ticket_id)
            pipe.zrank(keys.OVERFLOW, ticket_id)
            pipe.zcard(keys.QUEUE)
            rank, held_rank, queued = await pipe.execute()
        if rank is not None:
            return int(rank) + 1
        return None if held_rank is None else int(queued) + int(held_rank) + 1

    async def positions(self) -> dict[str, int]:
        """Every waiting ticket's ``position``, from one read of the queue."""
        return {ticket_id: place for place, ticket_id in enumerate(await self.queue(), start=1)}

    async def open_tickets(self) -> list[Ticket]:
        """The open tickets, the waiting first in queue order, in two round trips however many
        (the console, the assigner and the queue updates read them all at a peak)."""
        ids = [as_str(t) for t in await self.redis.smembers(keys.OPEN)]
        async with self.redis.pipeline(transaction=False) as pipe:
            for ticket_id in ids:
                pipe.hgetall(keys.ticket(ticket_id))
            raw = await pipe.execute()
        tickets = [Ticket.from_redis(_decode(r)) for r in raw if r]  # one expiring meanwhile is not open
        order = await self.positions()
        return sorted(tickets, key=lambda t: (order.get(t.id, len(order) + 1), t.created_at))

    async def recent(self, limit: int = 100) -> list[Ticket]:
        ids = [as_str(t) for t in await self.redis.zrevrange(keys.ALL, 0, limit - 1)]
        raw = [(i, await self.redis.hgetall(keys.ticket(i))) for i in ids]
        return [Ticket.from_redis(_decode(r)) for _, r in raw if r]  # expired ones leave ALL at the next sweep

    async def notes(self, ticket_id: str) -> list[dict[str, Any]]:
        return [json.loads(as_str(n)) for n in await self.redis.lrange(keys.notes(ticket_id), 0, -1)]

    async def history(self, ticket_id: str | None = None, count: int = 1000) -> list[dict[str, Any]]:
        entries = await self.redis.xrevrange(keys.HISTORY, count=count)
        out = [{k: as_str(v) for k, v in _decode(fields).items()} for _, fields in entries]
        return [e for e in reversed(out) if ticket_id is None or e.get("ticket") == ticket_id]

    # -- changing --------------------------------------------------------------------------

    async def create(self, conversation_id: str, channel: str, lang: str, customer_name: str, reasons: list[str],
                     evidence: list[dict[str, Any]], now: float | None = None, *, client_ip: str = "",
                     exchanges: int = 0) -> tuple[Ticket, bool]:
        """A new waiting ticket for the conversation (True), or its open one (False): ``handoff.intake``."""
        made = await self.intake.create(conversation_id, channel, lang, customer_name, reasons, evidence, now,
                                        client_ip=client_ip, exchanges=exchanges)
        return (made, True) if isinstance(made, Ticket) else (await self.get(made), False)

    async def release_overflow(self, now: float | None = None) -> list[str]:
        """Move held-back tickets into the queue as the minute's rate allows: ``handoff.intake``."""
        return await self.intake.release_overflow(now)

    async def change(self, ticket_id: str, check: Callable[[Ticket], None], apply: Apply,
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

    async def claim(self, ticket_id: str, login: str, display_name: str, now: float | None = None, *,
                    automatically: bool = False) -> Ticket:
        """Take a waiting ticket; ``automatically``: given by the assigner (``handoff.assigner``), and the
        customer hears of the person with their first reply, since they may not have seen it yet."""
        now = clock.now() if now is None else now

        def check(t: Ticket) -> None:
            if t.state == TicketState.RESOLVED:
                raise Conflict(f"ticket {ticket_id} is resolved")
            if t.state == TicketState.ASSIGNED:
                raise Conflict(f"ticket {ticket_id} is already claimed by {t.owner_name or t.owner}")

        def apply(pipe: Any, t: Ticket) -> None:
            t.state, t.owner, t.owner_name, t.claimed_at = TicketState.ASSIGNED, login, display_name, now
            pipe.zrem(keys.QUEUE, ticket_id)
            pipe.zrem(keys.OVERFLOW, ticket_id)
            clear_pending(pipe, t)  # a pending ticket back in the queue: its new owner starts afresh
            pipe.hincrby(keys.STATS, "claims", 1)
            pipe.hincrbyfloat(keys.STATS, "claim_wait_seconds", now - t.created_at)
            if automatically:
                record(pipe, ticket_id, "assigned automatically", "", now, to=login)
                pipe.hset(keys.LAST_ASSIGNED, login, repr(now))
                pipe.hset(keys.AUTO_ASSIGNED, ticket_id, json.dumps({"login": login, "at": now}))
                return
            record(pipe, ticket_id, "claimed", login, now)
            outbox_add(pipe, t, "status", {"handoff": {"state": "human", "moderator": display_name}})

        return await self.change(ticket_id, check, apply)

    async def take_back(self, ticket_id: str, login: str, queue_score: float, now: float | None = None) -> Ticket:
        """An automatic ticket ``login`` did not answer in time goes back to its team's queue, in its old place,
        offered to others first (``keys.passed_over``). Conflict if it was answered, moved or closed meanwhile."""
        now = clock.now() if now is None else now

        def check(t: Ticket) -> None:
            if t.state != TicketState.ASSIGNED or t.owner != login or t.first_response_at is not None:
                raise Conflict(f"ticket {ticket_id} is no longer waiting for {login}'s first reply")

        def apply(pipe: Any, t: Ticket) -> None:
            t.state, t.owner, t.owner_name, t.claimed_at = TicketState.QUEUED, "", "", None
            pipe.zadd(keys.QUEUE, {ticket_id: queue_score})
            pipe.hdel(keys.AUTO_ASSIGNED, ticket_id)
            pipe.sadd(keys.passed_over(ticket_id), login)
            pipe.expire(keys.passed_over(ticket_id), self.retention_seconds)
            record(pipe, ticket_id, "taken back: no first reply in time", "", now, **{"from": login})

        return await self.change(ticket_id, check, apply)

    async def transfer(self, ticket_id: str, login: str, to_login: str, to_name: str, is_admin: bool = False,
                       now: float | None = None) -> Ticket:
        now = clock.now() if now is None else now

        def check(t: Ticket) -> None:
            require_owner(t, login, is_admin)

        def apply(pipe: Any, t: Ticket) -> None:
            t.owner, t.owner_name = to_login, to_name
            record(pipe, ticket_id, "transferred", login, now, to=to_login)
            outbox_add(pipe, t, "status", {"handoff": {"state": "human", "moderator": to_name}})

        return await self.change(ticket_id, check, apply)

    async def reply(self, ticket_id: str, login: str, display_name: str, text: str,
                    now: float | None = None, visibility: str = "", reply_minutes: int | None = None) -> Ticket:
        """Queue the moderator's reply for the customer's channel (``visibility``: a public
        comment's reply goes "public" or "private", ``handoff.comments``). It ends the customer's
        waiting spell: past ``reply_minutes`` (the ticket's later-reply target) it is a breach."""
        now = clock.now() if now is None else now
        automatic = await self.redis.hexists(keys.AUTO_ASSIGNED, ticket_id)  # "Anna joined" comes now (claim)
        previous = await last_reply(self.redis, login)  # when this moderator could start on this reply

        def check(t: Ticket) -> None:
            require_owner(t, login, False)

        def apply(pipe: Any, t: Ticket) -> None:
            record_reply(pipe, ticket_id, login, now, service_seconds(t, previous, now))  # handoff.wait_estimate
            if t.first_response_at is None:
                t.first_response_at = now
                pipe.hincrby(keys.STATS, "first_responses", 1)
                pipe.hincrbyfloat(keys.STATS, "first_response_seconds", now - t.created_at)
                observe(pipe, "first_response", t.channel, t.team, now - t.created_at)
                if automatic:
                    pipe.hdel(keys.AUTO_ASSIGNED, ticket_id)
                    outbox_add(pipe, t, "status", {"handoff": {"state": "human", "moderator": display_name}})
            elif reply_minutes is not None and late(t.waiting_since, now, reply_minutes):
                t.reply_breaches += 1
                pipe.hincrby(keys.STATS, "reply_breaches", 1)
            t.waiting_since = None
            record(pipe, ticket_id, "replied", login, now)
            clear_pending(pipe, t)  # the owner came back: no longer pending or due (handoff.pending)
            payload = {"text": text, "moderator": login, "moderator_name": display_name}
            outbox_add(pipe, t, "reply", {**payload, "visibility": visibility} if visibility else payload)

        return await self.change(ticket_id, check, apply)

    async def close(self, ticket_id: str, login: str, outcome: Outcome, is_admin: bool = False,
                    farewell: str = "", now: float | None = None) -> Ticket:
        """Resolve or hand back: the ticket is closed and the bot owns the conversation again."""
        now = clock.now() if now is None else now

        def check(t: Ticket) -> None:
            if t.state == TicketState.QUEUED and is_admin:
                return
            require_owner(t, login, is_admin)

        def apply(pipe: Any, t: Ticket) -> None:
            t.state, t.resolved_at, t.outcome = TicketState.RESOLVED, now, outcome.value
            pipe.zrem(keys.QUEUE, ticket_id)
            pipe.zrem(keys.OVERFLOW, ticket_id)
            pipe.srem(keys.OPEN, ticket_id)
            clear_pending(pipe, t)
            if t.client_key:
                pipe.srem(keys.open_from_ip(t.client_key), ticket_id)
            pipe.delete(keys.owner_of_conversation(t.conversation_id))
            pipe.hincrby(keys.STATS, f"closed_{outcome.value}", 1)
            pipe.hincrbyfloat(keys.STATS, "resolution_seconds", now - t.created_at)
            observe(pipe, "resolution", t.channel, t.team, now - t.created_at)
            record(pipe, ticket_id, outcome.value, login, now)
            outbox_add(pipe, t, "handback", {"text": farewell})
            if wants_survey(t):
                outbox_add(pipe, t, "survey", {"buttons": survey_buttons(ticket_id)})
            for key in (keys.ticket(ticket_id), keys.notes(ticket_id), keys.conversation_tickets(t.conversation_id)):
                pipe.expire(key, self.retention_seconds)  # kept for the retention time after resolution

        return await self.change(ticket_id, check, apply)

    async def add_note(self, ticket_id: str, login: str, text: str, now: float | None = None,
                       important: bool = False) -> dict[str, Any]:
        """``important``: shown highlighted and in the shift handover (``handoff.handover``)."""
        now = clock.now() if now is None else now
        ticket = await self.get(ticket_id)
        note: dict[str, Any] = {"author": login, "text": text, "at": now}
        if important:
            note["important"] = True
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.rpush(keys.notes(ticket_id), json.dumps(note, ensure_ascii=False))
            if ticket.state == TicketState.RESOLVED:
                pipe.expire(keys.notes(ticket_id), self.retention_seconds, gt=False, nx=True)
            record(pipe, ticket_id, "note", login, now)
            await pipe.execute()
        return note

    async def set_tags(self, ticket_id: str, login: str, tags: list[str], now: float | None = None) -> Ticket:
        now = clock.now() if now is None else now

        def apply(pipe: Any, t: Ticket) -> None:
            t.tags = tags
            record(pipe, ticket_id, "tagged", login, now, tags=",".join(tags))

        return await self.change(ticket_id, lambda t: None, apply)


def require_owner(ticket: Ticket, login: str, is_admin: bool) -> None:
    if ticket.state == TicketState.RESOLVED:
        raise Conflict(f"ticket {ticket.id} is resolved")
    if ticket.state == TicketState.QUEUED:
        raise Conflict(f"ticket {ticket.id} is not claimed; claim it first")
    if ticket.owner != login and not is_admin:
        raise Forbidden(f"ticket {ticket.id} belongs to {ticket.owner_name or ticket.owner}")


def outbox_add(pipe: Any, ticket: Ticket, kind: str, payload: dict[str, Any]) -> None:
    """Queue what the customer must get, in the conversation's order (``bot.core.turns``)."""
    fields = {"kind": kind, "ticket": ticket.id, "conversation_id": ticket.conversation_id, "lang": ticket.lang,
              "payload": json.dumps(payload, ensure_ascii=False)}
    turns.add(pipe, keys.OUTBOX, keys.outbox_order(ticket.conversation_id), fields)


def _decode(raw: dict[Any, Any]) -> dict[str, str]:
    return {as_str(k): as_str(v) for k, v in raw.items()}
