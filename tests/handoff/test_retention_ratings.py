"""Retention and erasure of what the ratings and crisis mode keep (handoff/retention.py, erasure.py):
real Redis, fixed times passed in as ``now``."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis

from bot.core import keys
from bot.core.settings import SettingsError
from handoff.erasure import Erasure
from handoff.models import Outcome
from handoff.ratings import Ratings
from handoff.retention import DAY, RATINGS_DAYS, Retention, RetentionLimits
from handoff.tickets import TicketStore

T0 = 1_795_000_000.0
TRACKER, MESSENGER = keys.TrackerKeys(), keys.MessengerKeys()
LIMITS = RetentionLimits(tickets_days=180, ratings_days=365)


@pytest.fixture
async def client(redis_url: str) -> Any:
    redis = aioredis.from_url(redis_url, decode_responses=True)
    yield redis
    await redis.aclose()


def ms(at: float) -> str:
    return f"{int(at * 1000)}-0"


def test_ratings_days_come_from_the_environment_and_a_bad_value_names_the_variable() -> None:
    assert RetentionLimits.from_env({}).ratings_days == RATINGS_DAYS == 365
    assert RetentionLimits.from_env({"RETENTION_RATINGS_DAYS": "90"}).ratings_days == 90
    with pytest.raises(SettingsError, match="RETENTION_RATINGS_DAYS"):
        RetentionLimits.from_env({"RETENTION_RATINGS_DAYS": "0"})


async def test_old_ratings_of_both_kinds_go_and_recent_ones_stay(client: Any) -> None:
    for stream in (keys.RATINGS, TRACKER.answer_ratings):
        await client.xadd(stream, {"ticket": "T1", "conversation": "web:a", "at": str(T0)}, id=ms(T0))
        await client.xadd(stream, {"ticket": "T2", "conversation": "web:b", "at": str(T0 + 300 * DAY)},
                          id=ms(T0 + 300 * DAY))
    swept = await Retention(client, LIMITS, TRACKER, MESSENGER).sweep(T0 + 366 * DAY)
    assert swept["ratings"] == 1 and swept["answer_ratings"] == 1
    for stream in (keys.RATINGS, TRACKER.answer_ratings):
        assert [entry_id for entry_id, _ in await client.xrange(stream)] == [ms(T0 + 300 * DAY)]


async def crisis(client: Any, crisis_id: str, started: float, closed: float | None) -> None:
    record = {"id": crisis_id, "topic": "outage", "started": repr(started), "state": "open"}
    if closed is not None:
        record.update(state="closed", closed_by="ola", closed_at=repr(closed))
    await client.hset(keys.crisis(crisis_id), mapping=record)
    await client.zadd(keys.crisis_tickets(crisis_id), {"T1": started})
    await client.sadd(keys.crisis_sent(crisis_id), "T1")
    await client.zadd(keys.CRISES, {crisis_id: started})


async def test_crises_closed_before_the_ticket_limit_go_open_and_recent_ones_stay(client: Any) -> None:
    await crisis(client, "C000001", T0, closed=T0 + DAY)
    await crisis(client, "C000002", T0, closed=T0 + 100 * DAY)  # closed within the limit
    await crisis(client, "C000003", T0, closed=None)  # still open
    swept = await Retention(client, LIMITS, TRACKER, MESSENGER).sweep(T0 + 181 * DAY)
    assert swept["crises"] == 1
    assert await client.zrange(keys.CRISES, 0, -1) == ["C000002", "C000003"]
    for part in (keys.crisis, keys.crisis_tickets, keys.crisis_sent):
        assert not await client.exists(part("C000001"))
        assert await client.exists(part("C000002")) and await client.exists(part("C000003"))
    again = await Retention(client, LIMITS, TRACKER, MESSENGER).sweep(T0 + 181 * DAY)
    assert again["crises"] == 0  # idempotent: every replica may sweep


async def test_erasure_removes_the_conversations_ticket_ratings(client: Any, tmp_path: Path) -> None:
    store, ratings = TicketStore(client), Ratings(client)
    rated: dict[str, str] = {}
    for cid in (f"web:{uuid.uuid4()}", f"web:{uuid.uuid4()}"):
        ticket, _ = await store.create(cid, "webchat", "pl", "Jan", ["human_request"], [], now=T0)
        await store.claim(ticket.id, "anna", "Anna", now=T0 + 1)
        await store.close(ticket.id, "anna", Outcome.RESOLVED, now=T0 + 2)
        await ratings.rate(cid, ticket.id, 5, now=T0 + 3)
        rated[cid] = ticket.id
    erased, kept = rated
    erasure = Erasure(client, TRACKER, MESSENGER, tmp_path / "a", tmp_path / "b", tmp_path / "p" / "p.json")
    counts = await erasure.erase(erased)
    assert counts["ratings"] == 1
    assert [e["ticket"] for _, e in await client.xrange(keys.RATINGS)] == [rated[kept]]
    assert not await client.exists(keys.rated(rated[erased]))
    assert await client.exists(keys.rated(rated[kept]))
