"""Consultations in Redis: the open ones by token (kept ``days``), and an expert's answer landing in the ticket.

An answer becomes an internal note marked ``expert`` and lifts the ticket: a waiting one moves
``EXPERT_PRIORITY_MINUTES`` up the queue, a claimed one becomes due (first in its owner's list,
``handoff.pending``). The history entry it writes is published on the console's live stream, so
the owner sees it at once.
"""

from __future__ import annotations

import json
from typing import Any

from bot.core import keys
from bot.core.text import as_str
from handoff import clock
from handoff.errors import Forbidden, NotFound
from handoff.history import record
from handoff.models import MAX_TEXT_CHARS, Ticket, TicketState
from handoff.retention import DAY
from handoff.tickets import TicketStore

EXPERT_PRIORITY_MINUTES = 30  # how far up the queue an expert's answer moves a waiting ticket


class Consults:
    def __init__(self, store: TicketStore, days: int) -> None:
        self.store, self.redis, self.seconds = store, store.redis, days * DAY

    async def open(self, token: str, ticket: Ticket, expert: str, login: str, now: float | None = None) -> None:
        """Remember the consultation before the e-mail goes (its answer may come back at once)."""
        now = clock.now() if now is None else now
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(keys.consult(token), mapping={"ticket": ticket.id, "expert": expert, "login": login,
                                                    "at": str(now)})
            pipe.expire(keys.consult(token), self.seconds)
            await pipe.execute()

    async def sent(self, ticket: Ticket, expert: str, login: str, question: str, now: float | None = None) -> None:
        """The e-mail went: the question as the moderator's note, and a history entry."""
        now = clock.now() if now is None else now
        note = {"author": login, "text": question, "at": now, "consult_to": expert}
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.rpush(keys.notes(ticket.id), json.dumps(note, ensure_ascii=False))
            record(pipe, ticket.id, "consulted", login, now, expert=expert)
            await pipe.execute()

    async def forget(self, token: str) -> None:
        await self.redis.delete(keys.consult(token))

    async def answer(self, token: str, sender: str, text: str, now: float | None = None) -> dict[str, Any]:
        """The expert's answer as a note; NotFound for no open consultation, Forbidden for another sender."""
        now = clock.now() if now is None else now
        raw = {as_str(k): as_str(v) for k, v in (await self.redis.hgetall(keys.consult(token))).items()}
        if not raw:
            raise NotFound("no open consultation for this token")
        if sender != raw["expert"]:
            raise Forbidden("from: the answer must come from the consulted address")
        note = {"author": raw["expert"], "text": text[:MAX_TEXT_CHARS], "at": now, "expert": True}

        def apply(pipe: Any, t: Ticket) -> None:
            pipe.rpush(keys.notes(t.id), json.dumps(note, ensure_ascii=False))
            if t.state == TicketState.QUEUED:  # xx: only if still in the queue (not held back in the overflow)
                pipe.zadd(keys.QUEUE, {t.id: -EXPERT_PRIORITY_MINUTES * 60}, xx=True, incr=True)
            elif t.state == TicketState.ASSIGNED:
                pipe.sadd(keys.DUE, t.id)
            record(pipe, t.id, "expert_reply", raw["expert"], now)

        await self.store.change(raw["ticket"], lambda t: None, apply)
        return {**note, "ticket": raw["ticket"]}
