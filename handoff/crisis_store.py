"""Crises in Redis: counting negative tickets per topic, opening a crisis once, grouping its tickets,
closing it, and publishing one statement to every conversation of the group (each once).

Counting is a few O(1) commands per new ticket: the topic's recent tickets (a sorted set trimmed to
the window and capped), its count this hour, and one MGET of the hours before (``handoff.crisis``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import WatchError

from bot.core import keys
from bot.core.text import as_str
from handoff import clock
from handoff.crisis import (
    BASELINE_HOURS,
    MAX_TOPIC_CHARS,
    WINDOW_MINUTES,
    CrisisSettings,
    is_negative,
    is_surge,
    text_for,
)
from handoff.errors import Conflict, NotFound
from handoff.history import record
from handoff.models import Ticket, TicketState
from handoff.teams import ticket_topic
from handoff.tickets import outbox_add

MAX_RECENT = 1000  # a topic's recent tickets kept for grouping; more than any window's surge needs
HOUR_KEY_SECONDS = (BASELINE_HOURS + 2) * 3600
RETRIES = 20


@dataclass
class Crisis:
    id: str
    topic: str
    started: float
    state: str  # open, closed
    tickets: int
    statement: dict[str, str]
    published_by: str
    published_at: float | None
    closed_by: str
    closed_at: float | None

    @classmethod
    def from_redis(cls, raw: dict[str, str], tickets: int) -> Crisis:
        def number(key: str) -> float | None:
            return float(raw[key]) if raw.get(key) else None

        return cls(id=raw["id"], topic=raw["topic"], started=float(raw["started"]), state=raw["state"],
                   tickets=tickets, statement=json.loads(raw.get("statement") or "{}"),
                   published_by=raw.get("published_by", ""), published_at=number("published_at"),
                   closed_by=raw.get("closed_by", ""), closed_at=number("closed_at"))


class Crises:
    def __init__(self, client: Redis, settings: CrisisSettings) -> None:
        self.redis: Any = client
        self.settings = settings

    async def note_ticket(self, ticket: Ticket) -> Crisis | None:
        """Count a new ticket; the crisis it opened (None when it opened none, or only joined one)."""
        topic = ticket_topic(ticket.evidence)
        if not topic or len(topic) > MAX_TOPIC_CHARS or not is_negative(ticket.reasons):
            return None
        now, hour = ticket.created_at, int(ticket.created_at // 3600)
        recent_key = keys.crisis_recent(topic)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zadd(recent_key, {ticket.id: now})
            pipe.zremrangebyscore(recent_key, "-inf", now - WINDOW_MINUTES * 60)
            pipe.zremrangebyrank(recent_key, 0, -MAX_RECENT - 1)
            pipe.expire(recent_key, WINDOW_MINUTES * 60)
            pipe.incr(keys.crisis_hour(topic, hour))
            pipe.expire(keys.crisis_hour(topic, hour), HOUR_KEY_SECONDS)
            pipe.zcard(recent_key)
            pipe.mget([keys.crisis_hour(topic, h) for h in range(hour - BASELINE_HOURS, hour)])
            pipe.hget(keys.CRISIS_OPEN, topic)
            *_, recent, before, open_id = await pipe.execute()
        if open_id:
            await self.redis.zadd(keys.crisis_tickets(as_str(open_id)), {ticket.id: now})
            return None
        usual = sum(int(n) for n in before if n)
        if not is_surge(int(recent), usual, self.settings.min_tickets, self.settings.rise):
            return None
        return await self._open(topic, now)

    async def _open(self, topic: str, now: float) -> Crisis | None:
        crisis_id = f"C{int(await self.redis.incr(keys.CRISIS_SEQ)):06d}"
        if not await self.redis.hsetnx(keys.CRISIS_OPEN, topic, crisis_id):  # another ticket opened it just now
            open_id = as_str(await self.redis.hget(keys.CRISIS_OPEN, topic))
            ids = await self.redis.zrange(keys.crisis_recent(topic), 0, -1, withscores=True)
            await self.redis.zadd(keys.crisis_tickets(open_id), dict(ids))
            return None
        ids = await self.redis.zrange(keys.crisis_recent(topic), 0, -1, withscores=True)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(keys.crisis(crisis_id), mapping={"id": crisis_id, "topic": topic, "started": repr(now),
                                                       "state": "open"})
            pipe.zadd(keys.crisis_tickets(crisis_id), dict(ids))
            pipe.zadd(keys.CRISES, {crisis_id: now})
            await pipe.execute()
        return await self.get(crisis_id)

    async def get(self, crisis_id: str) -> Crisis:
        raw = await self.redis.hgetall(keys.crisis(crisis_id))
        if not raw:
            raise NotFound(f"crisis {crisis_id} not found")
        return Crisis.from_redis(raw, int(await self.redis.zcard(keys.crisis_tickets(crisis_id))))

    async def open_ones(self) -> list[Crisis]:
        found = []
        for crisis_id in sorted(as_str(i) for i in (await self.redis.hgetall(keys.CRISIS_OPEN)).values()):
            try:
                found.append(await self.get(crisis_id))
            except NotFound:  # claimed for its topic a moment ago, its record not written yet
                continue
        return found

    async def ticket_ids(self, crisis_id: str) -> list[str]:
        return [as_str(t) for t in await self.redis.zrange(keys.crisis_tickets(crisis_id), 0, -1)]

    async def close(self, crisis_id: str, login: str, now: float | None = None) -> Crisis:
        """Close an open crisis (409 when it is closed already): new tickets of its topic count afresh."""
        crisis = await self.get(crisis_id)
        if crisis.state != "open":
            raise Conflict(f"crisis {crisis_id} is closed already")
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(keys.crisis(crisis_id), mapping={"state": "closed", "closed_by": login,
                                                       "closed_at": repr(clock.now() if now is None else now)})
            pipe.hdel(keys.CRISIS_OPEN, crisis.topic)
            pipe.delete(keys.crisis_recent(crisis.topic))  # the wave that opened it opens no second crisis
            await pipe.execute()
        return await self.get(crisis_id)

    async def publish(self, crisis_id: str, texts: dict[str, str], login: str,
                      now: float | None = None) -> dict[str, int]:
        """Send the statement to every open conversation of the group once; kept on the crisis.
        Counts: sent, already (had it), resolved, erased."""
        now = clock.now() if now is None else now
        crisis = await self.get(crisis_id)
        if crisis.state != "open":
            raise Conflict(f"crisis {crisis_id} is closed; a statement goes out only while it is open")
        await self.redis.hset(keys.crisis(crisis_id), mapping={
            "statement": json.dumps(texts, ensure_ascii=False), "published_by": login, "published_at": repr(now)})
        counts = {"sent": 0, "already": 0, "resolved": 0, "erased": 0}
        for ticket_id in await self.ticket_ids(crisis_id):
            counts[await self._send_one(crisis_id, ticket_id, texts, login, now)] += 1
        return counts

    async def _send_one(self, crisis_id: str, ticket_id: str, texts: dict[str, str], login: str, now: float) -> str:
        sent = keys.crisis_sent(crisis_id)
        for _ in range(RETRIES):
            async with self.redis.pipeline(transaction=True) as pipe:
                try:
                    await pipe.watch(keys.ticket(ticket_id), sent)
                    raw = await pipe.hgetall(keys.ticket(ticket_id))
                    if await pipe.sismember(sent, ticket_id):
                        return "already"
                    if not raw:
                        return "erased"
                    ticket = Ticket.from_redis({as_str(k): as_str(v) for k, v in raw.items()})
                    if ticket.state == TicketState.RESOLVED:
                        return "resolved"
                    pipe.multi()
                    payload = {"text": text_for(texts, ticket.lang), "crisis": crisis_id}
                    if ticket.in_public:
                        payload["visibility"] = "public"
                    outbox_add(pipe, ticket, "statement", payload)
                    pipe.sadd(sent, ticket_id)
                    record(pipe, ticket_id, "crisis_statement", login, now, crisis=crisis_id)
                    await pipe.execute()
                    return "sent"
                except WatchError:
                    continue
        raise Conflict(f"ticket {ticket_id} is changing too fast; publish again")
