"""How long the handoff service keeps what customers wrote, and the periodic job that enforces it.

Per-conversation keys carry TTLs: a resolved ticket's hash, its notes and the conversation's
ticket list expire ``tickets_days`` after resolution (``TicketStore.close``); the tracker's keys
expire ``TRACKER_TTL_SECONDS`` after the conversation's last event (Rasa side). What is shared by
every conversation is trimmed here, by age (stream ids are milliseconds since the epoch):

- resolved tickets older than the limit leave the ticket index (``ho:tickets``) and ``ho:told``,
  with their hash and notes if their TTL has not taken them yet;
- ``ho:history`` loses entries older than ``tickets_days``;
- Rasa's event stream loses entries older than ``events_days`` (Rasa also caps its length);
- dead letters (``<stream>:dead`` of the event stream and the outbox, ``messenger:dead``,
  ``messenger:failed_sends``) lose entries older than ``dead_letter_days``;
- the customers' ratings (``ho:ratings``, the answer ratings stream) lose entries older than
  ``ratings_days``;
- closed crisis records (``ho:crisis:*``) closed before ``tickets_days`` go, with their ticket lists.

Open consultations (``ho:consult:*``) need nothing here: each key expires alone (``handoff.consult_store``).

The outbox needs no trimming: its consumer deletes each entry once delivered. Every replica may
run the job; each step is idempotent. ``sweep(now)`` takes the time so tests need no waiting.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from bot.core import keys
from bot.core import settings as env
from bot.core.text import as_str
from handoff.background import pause
from handoff.models import TicketState
from handoff.process_metrics import beat, redis_error

logger = logging.getLogger(__name__)
DAY = 24 * 3600
TICKETS_DAYS = 180
EVENTS_DAYS = 30
DEAD_LETTER_DAYS = 30
RATINGS_DAYS = 365  # a year of ratings: the reports compare seasons
SWEEP_SECONDS = 3600
MAX_DAYS = 3650  # ten years: the most a setting accepts
BATCH = 500  # old tickets looked at per round


@dataclass(frozen=True)
class RetentionLimits:
    tickets_days: int = TICKETS_DAYS
    events_days: int = EVENTS_DAYS
    dead_letter_days: int = DEAD_LETTER_DAYS
    sweep_seconds: int = SWEEP_SECONDS
    ratings_days: int = RATINGS_DAYS

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> RetentionLimits:
        return cls(
            tickets_days=env.whole_number(environ, "RETENTION_TICKET_DAYS", str(TICKETS_DAYS), 1, MAX_DAYS, "days"),
            events_days=env.whole_number(environ, "RETENTION_EVENT_DAYS", str(EVENTS_DAYS), 1, MAX_DAYS, "days"),
            dead_letter_days=env.whole_number(environ, "RETENTION_DEAD_LETTER_DAYS", str(DEAD_LETTER_DAYS), 1,
                                              MAX_DAYS, "days"),
            ratings_days=env.whole_number(environ, "RETENTION_RATINGS_DAYS", str(RATINGS_DAYS), 1, MAX_DAYS, "days"),
            sweep_seconds=env.whole_number(environ, "RETENTION_SWEEP_SECONDS", str(SWEEP_SECONDS), 60, DAY,
                                           "seconds"),
        )

    @property
    def ticket_seconds(self) -> int:
        return self.tickets_days * DAY


def _min_id(now: float, days: int) -> str:
    return f"{int((now - days * DAY) * 1000)}-0"


class Retention:
    def __init__(self, client: Redis, limits: RetentionLimits, tracker: keys.TrackerKeys,
                 messenger: keys.MessengerKeys) -> None:
        self.redis: Any = client
        self.limits, self.tracker, self.messenger = limits, tracker, messenger
        self._stopping = asyncio.Event()

    async def sweep(self, now: float | None = None) -> dict[str, int]:
        """One pass; how many tickets and stream entries went, by place."""
        now = time.time() if now is None else now
        counts: Counter[str] = Counter()
        counts["tickets"] = await self._old_tickets(now)
        limits, events = self.limits, self.tracker.stream
        trims = [("history", keys.HISTORY, limits.tickets_days), ("event_stream", events, limits.events_days)]
        dead = (f"{events}:dead", f"{keys.OUTBOX}:dead", self.messenger.dead, self.messenger.failed_sends)
        trims += [("dead_letters", stream, limits.dead_letter_days) for stream in dead]
        trims += [("ratings", keys.RATINGS, limits.ratings_days),
                  ("answer_ratings", self.tracker.answer_ratings, limits.ratings_days)]
        for place, stream, days in trims:
            counts[place] += int(await self.redis.xtrim(stream, minid=_min_id(now, days), approximate=False))
        counts["crises"] = await self._old_crises(now)
        return dict(counts)

    async def _old_crises(self, now: float) -> int:
        """Crises closed before the ticket limit: record, ticket list and sent marks gone."""
        cutoff, removed = now - self.limits.ticket_seconds, 0
        for crisis_id in [as_str(c) for c in await self.redis.zrangebyscore(keys.CRISES, "-inf", cutoff)]:
            state, closed = await self.redis.hmget(keys.crisis(crisis_id), "state", "closed_at")
            if state is not None and (as_str(state) != "closed" or float(closed or 0) > cutoff):
                continue  # open, or closed too recently
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.delete(keys.crisis(crisis_id), keys.crisis_tickets(crisis_id), keys.crisis_sent(crisis_id))
                pipe.zrem(keys.CRISES, crisis_id)
                await pipe.execute()
            removed += 1
        return removed

    async def _old_tickets(self, now: float) -> int:
        """Resolved tickets created and resolved before the limit: out of the index, hash and notes gone."""
        cutoff, removed, start = now - self.limits.ticket_seconds, 0, 0
        while True:
            ids = [as_str(t) for t in await self.redis.zrangebyscore(keys.ALL, "-inf", cutoff, start=start, num=BATCH)]
            if not ids:
                return removed
            kept = 0
            for ticket_id in ids:
                state, resolved = await self.redis.hmget(keys.ticket(ticket_id), "state", "resolved_at")
                if state is not None and (as_str(state) != TicketState.RESOLVED.value or float(resolved or 0) > cutoff):
                    kept += 1  # open, or resolved too recently: stays
                    continue
                async with self.redis.pipeline(transaction=True) as pipe:
                    pipe.delete(keys.ticket(ticket_id), keys.notes(ticket_id))
                    pipe.zrem(keys.ALL, ticket_id)
                    pipe.hdel(keys.TOLD, ticket_id)
                    await pipe.execute()
                removed += 1
            start += kept

    async def run(self) -> None:
        while not self._stopping.is_set():
            try:
                swept = await self.sweep()
                if any(swept.values()):
                    logger.info("retention: removed %s", ", ".join(f"{k} {v}" for k, v in sorted(swept.items())))
                beat("retention")
            except asyncio.CancelledError:
                raise
            except Exception as e:
                redis_error(e, "retention")
                logger.warning("retention sweep failed: %s; trying again later", e)
            await pause(self._stopping, self.limits.sweep_seconds)

    def stop(self) -> None:
        """End ``run`` after the sweep in hand, even if its cancellation is lost (``handoff.background``)."""
        self._stopping.set()
