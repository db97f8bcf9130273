"""Archiving finished conversations: the record (pure) and the worker (real Redis, real files)."""

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from bot.core import keys
from handoff.archive_record import build_record
from handoff.archiver import ARCHIVE_ATTEMPTS, Archiver
from handoff.models import Ticket, TicketState

T0 = 1_795_000_000.0


def events() -> list[dict[str, object]]:
    return [
        {"event": "action", "name": "action_listen", "timestamp": T0},
        {"event": "user", "text": "Gdzie mój zwrot? Piszcie na marek.kowalski@example.com albo 601 234 567",
         "timestamp": T0 + 1},
        {"event": "bot", "text": "Przekazuję rozmowę konsultantowi.", "timestamp": T0 + 1.2},
        {"event": "user", "text": "halo?", "timestamp": T0 + 1.5},
        {"event": "bot", "text": "Dzień dobry Panie Marku, zwrot dla Pana Kowalskiego wysłaliśmy wczoraj.\n— Anna",
         "metadata": {"moderator": "anna", "moderator_name": "Anna"}, "timestamp": T0 + 60},
    ]


def ticket(state: TicketState = TicketState.RESOLVED) -> Ticket:
    return Ticket("T000001", "web:x", "webchat", "pl", "Marek Kowalski", ["negative_sentiment", "second_attempt"],
                  [], state, T0 + 1.1)


def test_record_follows_the_archive_format_and_is_redacted() -> None:
    record = build_record("conv-100001", "web:x", events(), [ticket()])
    assert record is not None
    assert list(record) == ["id", "channel", "lang", "started_at", "ended_at", "customer", "turns", "outcome",
                            "handoff", "faq_ids", "approved_qa"]
    assert (record["channel"], record["lang"], record["outcome"]) == ("web", "pl", "moderator_resolved")
    assert record["customer"] == {"display_name": "Marek K."}
    text = json.dumps(record, ensure_ascii=False)
    assert "marek.kowalski@example.com" not in text and "601 234 567" not in text
    assert "[EMAIL]" in text and "[PHONE]" in text
    moderator = record["turns"][-1]
    assert moderator["author"] == "Anna" and "Kowalskiego" not in moderator["text"]
    times = [t["at"] for t in record["turns"]]
    assert times == sorted(times) and len(set(times)) == len(times)  # strictly increasing
    assert record["handoff"]["reasons"] == ["negative_sentiment", "low_confidence"]
    assert record["started_at"] <= record["handoff"]["at"] <= record["turns"][-1]["at"]


def test_bot_only_and_empty_stretches() -> None:
    bot_only = build_record("conv-1", "messenger:1", events()[:3], [])
    assert bot_only is not None and bot_only["outcome"] == "bot_resolved" and bot_only["handoff"] is None
    assert bot_only["channel"] == "messenger" and bot_only["customer"]["display_name"] == "Gość"
    assert build_record("conv-2", "web:x", [events()[0]], []) is None


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    c = aioredis.from_url(redis_url, decode_responses=True)
    yield c
    await c.aclose()


async def test_idle_conversations_are_archived_once(client: aioredis.Redis, tmp_path: Path) -> None:
    await client.rpush(keys.TrackerKeys().events("web:x"), *[json.dumps(e) for e in events()])
    await client.zadd(keys.ACTIVITY, {"web:x": T0 + 60})
    archiver = Archiver(client, tmp_path, idle_seconds=30)
    assert await archiver.archive_due(now=T0 + 70) == []  # not idle long enough
    [record_id] = await archiver.archive_due(now=T0 + 100)
    lines = [json.loads(line) for f in tmp_path.glob("*.jsonl") for line in f.read_text().splitlines()]
    assert [r["id"] for r in lines] == [record_id] and record_id.startswith("conv-1")
    assert await archiver.archive_due(now=T0 + 200) == []  # nothing new
    # the customer comes back: only the new stretch is archived, with a new id
    await client.rpush(keys.TrackerKeys().events("web:x"), json.dumps(
        {"event": "user", "text": "dzięki!", "timestamp": T0 + 500}))
    await client.zadd(keys.ACTIVITY, {"web:x": T0 + 500})
    [second] = await archiver.archive_due(now=T0 + 600)
    assert second != record_id


async def test_a_retry_after_a_crash_writes_the_same_record(client: aioredis.Redis, tmp_path: Path) -> None:
    await client.rpush(keys.TrackerKeys().events("web:y"), *[json.dumps(e) for e in events()])
    archiver = Archiver(client, tmp_path, idle_seconds=30)
    first = await archiver.archive("web:y")
    await client.delete(keys.archived_offset("web:y"))  # as if the process died before noting the offset
    again = await archiver.archive("web:y")
    assert first == again  # readers keep the last line per id: no duplicate conversation


async def test_conversations_with_an_open_ticket_wait(client: aioredis.Redis, tmp_path: Path) -> None:
    await client.rpush(keys.TrackerKeys().events("web:z"), *[json.dumps(e) for e in events()])
    await client.zadd(keys.ACTIVITY, {"web:z": T0})
    await client.set(keys.owner_of_conversation("web:z"), "T000009")
    assert await Archiver(client, tmp_path, idle_seconds=30).archive_due(now=T0 + 100) == []
    assert not list(tmp_path.glob("*.jsonl"))


async def test_two_replicas_archive_a_conversation_once(client: aioredis.Redis, tmp_path: Path) -> None:
    await client.rpush(keys.TrackerKeys().events("web:r"), *[json.dumps(e) for e in events()])
    await client.zadd(keys.ACTIVITY, {"web:r": T0})
    replica_a, replica_b = Archiver(client, tmp_path, idle_seconds=30), Archiver(client, tmp_path, idle_seconds=30)
    results = await asyncio.gather(replica_a.archive_due(now=T0 + 100), replica_b.archive_due(now=T0 + 100))
    assert sorted(len(r) for r in results) == [0, 1]
    lines = [line for f in tmp_path.glob("*.jsonl") for line in f.read_text().splitlines()]
    assert len(lines) == 1 and not await client.exists(keys.archiving("web:r"))


async def test_a_conversation_that_fails_does_not_stop_the_others(
        client: aioredis.Redis, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def redact(text: str, customer_name: str = "", role: str = "customer") -> str:
        if "BOOM" in text:
            raise RuntimeError("Input contains more than one word")
        return text

    monkeypatch.setattr("handoff.archive_record.redact", redact)
    bad = [*events()[:3], {"event": "user", "text": "BOOM", "timestamp": T0 + 2}]
    for conversation_id, stretch in (("web:a", events()), ("web:bad", bad), ("web:b", events())):
        await client.rpush(keys.TrackerKeys().events(conversation_id), *[json.dumps(e) for e in stretch])
    await client.zadd(keys.ACTIVITY, {"web:bad": T0, "web:a": T0 + 1, "web:b": T0 + 2})  # the bad one first
    archiver = Archiver(client, tmp_path, idle_seconds=30)
    assert len(await archiver.archive_due(now=T0 + 100)) == 2
    for attempt in range(2, ARCHIVE_ATTEMPTS + 1):
        assert await archiver.archive_due(now=T0 + 100 + attempt) == []
    assert not await client.zscore(keys.ACTIVITY, "web:bad")  # set aside: no longer retried every pass
    failed = json.loads(await client.hget(keys.ARCHIVE_FAILED, "web:bad") or "{}")
    assert (failed["attempts"], failed["error"]) == (ARCHIVE_ATTEMPTS, "RuntimeError")
    assert await client.llen(keys.TrackerKeys().events("web:bad")) == len(bad)  # nothing is lost
    assert not await client.exists(keys.archived_offset("web:bad"))
    lines = [json.loads(line) for f in tmp_path.glob("*.jsonl") for line in f.read_text().splitlines()]
    assert len(lines) == 2 and "BOOM" not in json.dumps(lines)
