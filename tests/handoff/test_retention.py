"""Retention: resolved tickets, history, the event stream and dead letters go after their time
(real Redis; time is passed in as ``now``, never waited for)."""

from __future__ import annotations

from typing import Any

import pytest
import redis.asyncio as aioredis

from bot.core import keys
from bot.core.settings import SettingsError
from handoff.models import Outcome
from handoff.retention import DAY, Retention, RetentionLimits
from handoff.tickets import TicketStore

T0 = 1_795_000_000.0
TRACKER, MESSENGER = keys.TrackerKeys(), keys.MessengerKeys()
LIMITS = RetentionLimits(tickets_days=180, events_days=30, dead_letter_days=7)


@pytest.fixture
async def client(redis_url: str) -> Any:
    redis = aioredis.from_url(redis_url, decode_responses=True)
    yield redis
    await redis.aclose()


def ms(at: float) -> str:
    return f"{int(at * 1000)}-0"


async def resolved_ticket(store: TicketStore, conversation_id: str, at: float) -> str:
    ticket, _ = await store.create(conversation_id, "webchat", "pl", "Jan", ["human_request"], [], now=at)
    await store.claim(ticket.id, "anna", "Anna", now=at + 1)
    await store.add_note(ticket.id, "anna", "notatka", now=at + 2)
    await store.close(ticket.id, "anna", Outcome.RESOLVED, now=at + 3)
    return ticket.id


async def test_a_resolved_tickets_keys_expire_after_the_retention_time(client: Any) -> None:
    store = TicketStore(client, retention_seconds=LIMITS.ticket_seconds)
    ticket_id = await resolved_ticket(store, "conv-a", T0)
    for key in (keys.ticket(ticket_id), keys.notes(ticket_id), keys.conversation_tickets("conv-a")):
        ttl = await client.ttl(key)
        assert LIMITS.ticket_seconds - 60 < ttl <= LIMITS.ticket_seconds
    again, _ = await store.create("conv-a", "webchat", "pl", "Jan", ["human_request"], [], now=T0 + 10)
    assert await client.ttl(keys.conversation_tickets("conv-a")) == -1  # open again: kept while open
    assert (await store.get(again.id)).state.value == "queued"


async def test_sweep_removes_old_resolved_tickets_and_keeps_open_and_recent_ones(client: Any) -> None:
    store = TicketStore(client)
    old = await resolved_ticket(store, "conv-old", T0)
    recent = await resolved_ticket(store, "conv-recent", T0 + 170 * DAY)
    still_open, _ = await store.create("conv-open", "webchat", "pl", "Ewa", ["human_request"], [], now=T0)
    await client.hset(keys.TOLD, old, "{}")
    now = T0 + 181 * DAY
    swept = await Retention(client, LIMITS, TRACKER, MESSENGER).sweep(now)
    assert swept["tickets"] == 1
    assert not await client.exists(keys.ticket(old), keys.notes(old))
    assert await client.zscore(keys.ALL, old) is None and not await client.hexists(keys.TOLD, old)
    assert await client.exists(keys.ticket(recent)) and await client.exists(keys.ticket(still_open.id))
    assert {t.id for t in await store.recent()} == {recent, still_open.id}
    # a ticket whose TTL took its hash (180 days after resolution) leaves the index too
    await client.delete(keys.ticket(recent))
    assert (await Retention(client, LIMITS, TRACKER, MESSENGER).sweep(T0 + 351 * DAY))["tickets"] == 1
    assert await client.zscore(keys.ALL, recent) is None


async def test_streams_are_trimmed_by_age(client: Any) -> None:
    now = T0 + 60 * DAY
    ages = {"old": now - 40 * DAY, "middle": now - 10 * DAY, "new": now - 60}
    for name, at in ages.items():
        await client.xadd(TRACKER.stream, {"sender_id": name}, id=ms(at))
        await client.xadd(keys.HISTORY, {"ticket": name}, id=ms(at))
        for dead in (f"{TRACKER.stream}:dead", f"{keys.OUTBOX}:dead", MESSENGER.dead, MESSENGER.failed_sends):
            await client.xadd(dead, {"what": name}, id=ms(at))
    swept = await Retention(client, LIMITS, TRACKER, MESSENGER).sweep(now)
    assert swept["event_stream"] == 1 and swept["dead_letters"] == 8 and swept["history"] == 0
    assert [f["sender_id"] for _, f in await client.xrange(TRACKER.stream)] == ["middle", "new"]
    for dead in (f"{TRACKER.stream}:dead", f"{keys.OUTBOX}:dead", MESSENGER.dead, MESSENGER.failed_sends):
        assert [f["what"] for _, f in await client.xrange(dead)] == ["new"]
    later = await Retention(client, LIMITS, TRACKER, MESSENGER).sweep(now + 200 * DAY)
    assert later["history"] == 3 and await client.xlen(keys.HISTORY) == 0


def test_limits_come_from_the_environment_and_bad_values_name_the_variable() -> None:
    assert RetentionLimits.from_env({}) == RetentionLimits(180, 30, 30, 3600)
    limits = RetentionLimits.from_env({"RETENTION_TICKET_DAYS": "90", "RETENTION_EVENT_DAYS": "7",
                                       "RETENTION_DEAD_LETTER_DAYS": "14", "RETENTION_SWEEP_SECONDS": "600"})
    assert limits == RetentionLimits(90, 7, 14, 600) and limits.ticket_seconds == 90 * DAY
    for name, value in (("RETENTION_TICKET_DAYS", "0"), ("RETENTION_EVENT_DAYS", "x"),
                        ("RETENTION_DEAD_LETTER_DAYS", "99999"), ("RETENTION_SWEEP_SECONDS", "5")):
        with pytest.raises(SettingsError, match=name):
            RetentionLimits.from_env({name: value})
