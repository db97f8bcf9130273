"""How a ticket comes in: made for a conversation (one open ticket each), put in the queue or held
back in the overflow, and the held-back ones moved into the queue as the minute's rate allows.

The caps are plain decisions in ``handoff.admission``; this module applies them atomically. A new
ticket is one WATCH/MULTI transaction on the conversation's owner key (and the client address's
set of open tickets), so the same conversation asked for twice at once gets one ticket, and one
address never gets more than its share however many requests race.
"""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis
from redis.exceptions import WatchError

from bot.core import keys
from bot.core.clients import client_key
from bot.core.text import as_str
from handoff import clock
from handoff.admission import Lane, TicketCaps, is_public, lane, lift_minutes, queue_score
from handoff.errors import Conflict, TooManyOpen
from handoff.history import record
from handoff.models import Ticket, TicketState
from handoff.teams import Teams

RETRIES = 20
COUNTER_SECONDS = 120  # a minute's counter of tickets joining the queue outlives its minute, then goes

# KEYS: overflow, queue, the minute's counter; ARGV: tickets a minute, now, counter lifetime.
# The oldest held-back tickets join the end of the queue while the minute has room.
RELEASE = """
local room = tonumber(ARGV[1]) - tonumber(redis.call('GET', KEYS[3]) or '0')
if room <= 0 then return {} end
local ids = redis.call('ZRANGE', KEYS[1], 0, room - 1)
for _, id in ipairs(ids) do
  redis.call('ZREM', KEYS[1], id)
  redis.call('ZADD', KEYS[2], ARGV[2], id)
end
if #ids > 0 then
  redis.call('INCRBY', KEYS[3], #ids)
  redis.call('EXPIRE', KEYS[3], ARGV[3])
end
return ids
"""


class Intake:
    def __init__(self, client: Redis, caps: TicketCaps) -> None:
        self.redis: Any = client  # redis-py's annotations don't fit decode_responses clients
        self.caps = caps

    async def create(self, conversation_id: str, channel: str, lang: str, customer_name: str, reasons: list[str],
                     evidence: list[dict[str, Any]], now: float | None = None, *, client_ip: str = "",
                     exchanges: int = 0) -> Ticket | str:
        """A new waiting ticket for the conversation, or the id of its open one if it has one.

        TooManyOpen when the client's address has its share of open tickets already. The ticket
        joins the queue, or the overflow when it is cold and the minute's rate is used up
        (``handoff.admission``); the minute's counter is taken once, before the transaction,
        and given back if no ticket is made."""
        now = clock.now() if now is None else now
        client = client_key(client_ip)
        owner_key, client_set = keys.owner_of_conversation(conversation_id), keys.open_from_ip(client)
        counter, joined = keys.admitted(int(now // 60)), 0
        try:
            for _ in range(RETRIES):
                async with self.redis.pipeline(transaction=True) as pipe:
                    try:
                        await pipe.watch(owner_key, *([client_set] if client else []))
                        existing = await pipe.get(owner_key)
                        if existing:
                            await pipe.reset()
                            return as_str(existing)
                        if client and await pipe.scard(client_set) >= self.caps.max_open_per_client:
                            raise TooManyOpen(f"{self.caps.max_open_per_client} tickets are open from this "
                                              "client address already; the next one waits for those")
                        joined = joined or await self._join_minute(counter)
                        ticket = await self._new_ticket(conversation_id, channel, lang, customer_name, reasons,
                                                        evidence, now, exchanges, client)
                        pipe.multi()
                        self._add(pipe, ticket, lane(exchanges, joined, self.caps, ticket.in_public), counter)
                        await pipe.execute()
                        joined = 0  # kept: the ticket took its place in the minute
                        return ticket
                    except WatchError:
                        continue
            raise Conflict(f"conversation {conversation_id} is changing too fast; try again")
        finally:
            if joined:
                await self.redis.decr(counter)

    async def release_overflow(self, now: float | None = None) -> list[str]:
        """Move the oldest held-back tickets to the end of the queue, as many as the minute's rate
        has room for (one script: a ticket is in one of the two, never both, never neither)."""
        now = clock.now() if now is None else now
        released = await self.redis.eval(RELEASE, 3, keys.OVERFLOW, keys.QUEUE, keys.admitted(int(now // 60)),
                                          self.caps.new_per_minute, repr(now), COUNTER_SECONDS)
        return [as_str(t) for t in released]

    async def _join_minute(self, counter: str) -> int:
        """Take a place among the minute's new tickets: how many there are with this one."""
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(counter)
            pipe.expire(counter, COUNTER_SECONDS)
            joined, _ = await pipe.execute()
        return int(joined)

    async def _new_ticket(self, conversation_id: str, channel: str, lang: str, customer_name: str,
                          reasons: list[str], evidence: list[dict[str, Any]], now: float, exchanges: int,
                          client: str) -> Ticket:
        number, public = int(await self.redis.incr(keys.TICKET_SEQ)), is_public(channel)
        team = await Teams(self.redis).team_for(evidence, channel)  # "": no teams, no automatic assignment
        return Ticket(
            id=f"T{number:06d}", conversation_id=conversation_id, channel=channel, lang=lang,
            customer_name=customer_name, reasons=reasons, evidence=evidence, state=TicketState.QUEUED,
            created_at=now, priority=lift_minutes(reasons, exchanges, public), exchanges=exchanges, client_key=client,
            in_public=public, team=team,
        )

    @staticmethod
    def _add(pipe: Any, ticket: Ticket, where: Lane, counter: str) -> None:
        now, conversation_id = ticket.created_at, ticket.conversation_id
        pipe.hset(keys.ticket(ticket.id), mapping=ticket.to_redis())
        pipe.set(keys.owner_of_conversation(conversation_id), ticket.id)
        pipe.rpush(keys.conversation_tickets(conversation_id), ticket.id)
        pipe.persist(keys.conversation_tickets(conversation_id))  # an earlier close set it to expire
        if where == Lane.QUEUE:
            pipe.zadd(keys.QUEUE, {ticket.id: queue_score(now, ticket.reasons, ticket.exchanges, ticket.in_public)})
        else:
            pipe.zadd(keys.OVERFLOW, {ticket.id: now})
            pipe.decr(counter)  # held back: it takes its place in the minute when it is moved into the queue
            pipe.hincrby(keys.STATS, "tickets_held_back", 1)
        if ticket.client_key:
            pipe.sadd(keys.open_from_ip(ticket.client_key), ticket.id)
        pipe.sadd(keys.OPEN, ticket.id)
        pipe.zadd(keys.ALL, {ticket.id: now})
        pipe.hincrby(keys.STATS, "tickets_created", 1)
        record(pipe, ticket.id, "created", "", now, reasons=",".join(ticket.reasons), lane=where.value)
