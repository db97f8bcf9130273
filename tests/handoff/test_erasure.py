"""Erasing one customer's conversation: Redis (real server), archive files, the CLI and the admin API."""

from __future__ import annotations

import json
import stat
import uuid
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient

from bot.core import keys
from bot.learning import review
from handoff import erasure_cli
from handoff.archive_owners import OWNERS_FILE, conversation_hash, note_owner
from handoff.archiver import Archiver
from handoff.erasure import Erasure, xdel_matching
from handoff.models import Outcome
from handoff.tickets import TicketStore
from tests.handoff.conftest import Factory, sign_in

T0 = 1_795_000_000.0
TRACKER = keys.TrackerKeys()
MESSENGER = keys.MessengerKeys()


def web_id() -> str:
    return f"web:{uuid.uuid4()}"


class World:
    """Two conversations with tickets, notes, stream entries and archived records: one is erased,
    the other must be untouched."""

    def __init__(self, client: Any, tmp: Path) -> None:
        self.redis = client
        self.archive, self.approved = tmp / "archive", tmp / "approved"
        self.proposals = tmp / "proposals" / "proposals.json"
        self.tickets = TicketStore(client)

    def erasure(self) -> Erasure:
        return Erasure(self.redis, TRACKER, MESSENGER, self.archive, self.approved, self.proposals)

    async def conversation(self, cid: str, text: str) -> str:
        events = [{"event": "user", "text": text, "timestamp": T0},
                  {"event": "bot", "text": "Łączę z konsultantem.", "timestamp": T0 + 1}]
        for event in events:
            await self.redis.rpush(TRACKER.events(cid), json.dumps(event, ensure_ascii=False))
            await self.redis.xadd(TRACKER.stream, {"sender_id": cid, "event": json.dumps(event)})
        await self.redis.xadd(f"{TRACKER.stream}:dead", {"sender_id": cid, "event": "{}", "error": "x"})
        await self.redis.set(TRACKER.session(cid), 0)
        ticket, _ = await self.tickets.create(cid, "webchat", "pl", "Jan Kowalski", ["human_request"], [], now=T0)
        await self.tickets.claim(ticket.id, "anna", "Anna", now=T0 + 2)
        await self.tickets.reply(ticket.id, "anna", "Anna", f"odpowiedź dla {cid}", now=T0 + 3)
        await self.tickets.add_note(ticket.id, "anna", f"notatka o {cid}", now=T0 + 4)
        await self.redis.hset(keys.TOLD, ticket.id, "{}")
        await self.tickets.close(ticket.id, "anna", Outcome.RESOLVED, now=T0 + 5)
        await self.redis.xadd(f"{keys.OUTBOX}:dead", {"conversation_id": cid, "payload": text})
        archiver = Archiver(self.redis, self.archive, 1, TRACKER)
        record_id = await archiver.archive(cid)
        assert record_id is not None
        return record_id


def lines(directory: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for path in sorted(directory.glob("*.jsonl"))
            for line in path.read_text("utf-8").splitlines() if line.strip()]


async def stream_senders(client: Any, stream: str, field: str) -> list[str]:
    return [fields.get(field, "") for _, fields in await client.xrange(stream)]


@pytest.fixture
async def world(redis_url: str, tmp_path: Path) -> Any:
    client = aioredis.from_url(redis_url, decode_responses=True)
    yield World(client, tmp_path)
    await client.aclose()


async def test_erase_removes_the_conversation_everywhere_and_nothing_else(world: World) -> None:
    gone, kept = web_id(), web_id()
    gone_record = await world.conversation(gone, "Gdzie moja paczka? Nazywam się Jan Kowalski")
    kept_record = await world.conversation(kept, "Gdzie mój zwrot?")
    gone_ticket = (await world.redis.lrange(keys.conversation_tickets(gone), 0, -1))[0]
    # an approval copied the record to approved.jsonl, and a proposal cites both conversations
    approved = {**next(r for r in lines(world.archive) if r["id"] == gone_record), "approved_qa": [{"q": 1}]}
    world.approved.mkdir()
    (world.approved / "approved.jsonl").write_text(json.dumps(approved, ensure_ascii=False) + "\n", "utf-8")
    gone_question = approved["turns"][0]["text"]
    world.proposals.parent.mkdir()
    proposal = {"id": "p1", "questions": [gone_question, "Gdzie mój zwrot?"], "conversation_ids": [gone_record,
                kept_record], "count": 2, "status": "pending"}
    world.proposals.write_text(json.dumps({"proposals": [proposal]}), "utf-8")

    erased = await world.erasure().erase(gone)

    assert erased["tickets"] == 1 and erased["notes"] == 1
    assert erased["event_stream"] == 2 and erased["dead_letters"] == 2
    assert erased["history"] >= 4 and erased["outbox"] >= 0
    assert erased["archive_lines"] == 1 and erased["approved_lines"] == 1
    assert erased["proposals"] == 1 and erased["archive_owners"] == 1 and erased["keys"] >= 3
    redis = world.redis
    assert not await redis.exists(TRACKER.events(gone), TRACKER.session(gone), keys.ticket(gone_ticket),
                                  keys.notes(gone_ticket), keys.conversation_tickets(gone),
                                  keys.archived_offset(gone))
    assert await redis.zscore(keys.ALL, gone_ticket) is None
    assert not await redis.hexists(keys.TOLD, gone_ticket)
    assert gone not in await stream_senders(redis, TRACKER.stream, "sender_id")
    assert gone not in await stream_senders(redis, f"{keys.OUTBOX}:dead", "conversation_id")
    assert gone_ticket not in await stream_senders(redis, keys.HISTORY, "ticket")
    assert not [f for f in await redis.hkeys(keys.ARCHIVE_IDS) if f.startswith(gone)]
    assert [r["id"] for r in lines(world.archive)] == [kept_record]
    assert lines(world.approved) == []
    assert conversation_hash(gone) not in (world.archive / OWNERS_FILE).read_text()
    left = review.load(world.proposals)
    assert left[0]["conversation_ids"] == [kept_record] and left[0]["questions"] == ["Gdzie mój zwrot?"]
    # the other conversation is whole
    assert await redis.llen(TRACKER.events(kept)) == 2
    assert await stream_senders(redis, TRACKER.stream, "sender_id") == [kept, kept]
    assert len(await world.tickets.history()) > 0
    for path in world.archive.glob("*.jsonl"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


async def test_erasure_finds_archived_records_by_hash_when_redis_forgot_them(world: World) -> None:
    cid = web_id()
    record_id = await world.conversation(cid, "Zamówienie VL-1234567 nie dotarło")
    await world.redis.delete(keys.ARCHIVE_IDS)  # e.g. restored from an older backup
    erased = await world.erasure().erase(cid)
    assert erased["archive_lines"] == 1 and lines(world.archive) == []
    assert record_id not in (world.archive / OWNERS_FILE).read_text()


async def test_unknown_conversation_erases_nothing_and_invalid_ids_are_refused(world: World) -> None:
    erased = await world.erasure().erase(web_id())
    assert sum(erased.values()) == 0
    for bad in ("web:not-a-uuid", "a:b", "x" * 65, "", "abc*"):
        with pytest.raises(ValueError, match="conversation id"):
            await world.erasure().erase(bad)


async def test_messenger_inbox_dead_letters_and_failed_sends(world: World) -> None:
    psid, other = "1234567890", "555"
    for who in (psid, other):
        event = json.dumps({"kind": "text", "psid": who, "event_id": f"m{who}", "text": "hej", "title": "hej"})
        await world.redis.xadd(MESSENGER.inbox, {"event": event})
        await world.redis.xadd(MESSENGER.dead, {"event": event, "error": "boom"})
        await world.redis.xadd(MESSENGER.failed_sends, {"psid": who, "message": "{}", "error": "x"})
        await world.redis.set(MESSENGER.last_in(who), T0)
    erased = await world.erasure().erase(f"messenger:{psid}")
    assert erased["messenger_inbox"] == 1 and erased["dead_letters"] == 1 and erased["failed_sends"] == 1
    assert erased["keys"] == 1
    for stream in (MESSENGER.inbox, MESSENGER.dead):
        assert len(await world.redis.xrange(stream)) == 1
    assert await world.redis.exists(MESSENGER.last_in(other))


async def test_stream_scan_goes_past_one_batch(world: World) -> None:
    cid = web_id()
    for n in range(25):
        await world.redis.xadd("s", {"sender_id": cid if n % 2 else "other", "n": str(n)})
    removed = await xdel_matching(world.redis, "s", lambda f: f["sender_id"] == cid, batch=4)
    assert removed == 12 and await world.redis.xlen("s") == 13


def test_owner_notes_are_private_and_findable(tmp_path: Path) -> None:
    note_owner(tmp_path / "archive", "conv-100001", "web:x")
    path = tmp_path / "archive" / OWNERS_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert "web:x" not in path.read_text()


async def test_cli_erases_and_exits_2_on_a_bad_id(world: World, redis_url: str, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    cid = web_id()
    await world.conversation(cid, "Pomocy")
    env = {"REDIS_URL": redis_url, "ARCHIVE_DIR": str(world.archive), "APPROVED_DIR": str(world.approved),
           "PROPOSALS_FILE": str(world.proposals)}
    text = await erasure_cli.erase_customer(cid, env)
    assert text.startswith(f"erased {cid}:") and "archive_lines\t1" in text
    assert not await world.redis.exists(TRACKER.events(cid))
    assert erasure_cli.run("not a valid:id", env) == erasure_cli.EXIT_BAD_ID
    assert "invalid conversation id" in capsys.readouterr().err


async def test_admin_api_erases_with_the_admin_role_only(aiohttp_client: Factory, app_client: TestClient,
                                                         redis_url: str, tmp_path: Path) -> None:
    client = aioredis.from_url(redis_url, decode_responses=True)
    cid = web_id()
    await client.rpush(TRACKER.events(cid), json.dumps({"event": "user", "text": "hej", "timestamp": T0}))
    anna = await sign_in(aiohttp_client, app_client, "anna")
    assert (await anna.call("POST", "/api/admin/erasure", {"conversation_id": cid}))[0] == 403
    ola = await sign_in(aiohttp_client, app_client, "ola")
    no_csrf = await ola.client.post("/api/admin/erasure", json={"conversation_id": cid})
    assert no_csrf.status == 403
    assert await client.exists(TRACKER.events(cid))
    status, body = await ola.call("POST", "/api/admin/erasure", {"conversation_id": "web:nope"})
    assert status == 400 and "conversation_id" in body["error"]
    status, body = await ola.call("POST", "/api/admin/erasure", {"conversation_id": 5})
    assert status == 400 and "conversation_id" in body["error"]
    status, body = await ola.call("POST", "/api/admin/erasure", {"conversation_id": cid})
    assert status == 200 and body["conversation_id"] == cid and body["erased"]["keys"] == 1
    assert not await client.exists(TRACKER.events(cid))
    status, body = await ola.call("POST", "/api/admin/erasure", {"conversation_id": cid})
    assert status == 200 and sum(body["erased"].values()) == 0
    await client.aclose()



def test_the_admin_command_exits_2_naming_a_bad_id(capsys: pytest.CaptureFixture[str]) -> None:
    from handoff.admin import main

    assert main(["erase-customer", "messenger:12ab"]) == 2
    assert "invalid conversation id 'messenger:12ab'" in capsys.readouterr().err


async def test_a_comment_conversation_is_erased_from_the_messenger_inbox_and_its_keys(world: World) -> None:
    from bot.rasa_side.channels.messenger_protocol import Inbound

    def comment(comment_id: str, thread: str) -> str:
        return Inbound("comment", "24", comment_id, "Oszuści!", "Oszuści!", 1, "Anna", "1_4", "1_4", thread).to_json()

    gone, kept = "comment:4_5", "comment:4_6"
    await world.redis.xadd(MESSENGER.inbox, {"event": comment("4_5", "4_5")})
    await world.redis.xadd(MESSENGER.dead, {"event": comment("4_7", "4_5"), "error": "x"})
    await world.redis.xadd(MESSENGER.inbox, {"event": comment("4_6", "4_6")})
    await world.redis.xadd(MESSENGER.failed_sends, {"psid": gone, "message": "{}", "error": "used already"})
    await world.redis.set(MESSENGER.comment_told(gone), "1")
    await world.redis.rpush(MESSENGER.order(gone), "1-0")
    erased = await world.erasure().erase(gone)
    assert (erased["messenger_inbox"], erased["dead_letters"], erased["failed_sends"]) == (1, 1, 1)
    assert not await world.redis.exists(MESSENGER.comment_told(gone), MESSENGER.order(gone))
    [(_, left)] = await world.redis.xrange(MESSENGER.inbox)
    assert json.loads(left["event"])["thread_id"] == "4_6" and kept.endswith("4_6")
