"""The Messenger inbox against a real redis-server."""

import json
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from bot.core.keys import TrackerKeys
from bot.rasa_side.channels.inbox import MessengerInbox
from bot.rasa_side.channels.messenger_protocol import Inbound


def inbound(mid: str, text: str = "hej", psid: str = "7") -> Inbound:
    return Inbound("text", psid, mid, text, text, 1)


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    c = aioredis.from_url(redis_url)
    yield c
    await c.aclose()


async def test_each_message_is_stored_once(client: aioredis.Redis) -> None:
    inbox = MessengerInbox(client)
    assert await inbox.accept([inbound("m1"), inbound("m2")]) == 2
    assert await inbox.accept([inbound("m1"), inbound("m3")]) == 1  # a retry of m1 with a new m3
    taken = await inbox.take("c1", block_ms=10)
    assert [e.event_id for _, e in taken] == ["m1", "m2", "m3"]


async def test_unfinished_entries_survive_a_crash(client: aioredis.Redis) -> None:
    first = MessengerInbox(client)
    await first.accept([inbound("m1"), inbound("m2")])
    taken = await first.take("rasa-host", block_ms=10)
    await first.done(*taken[0])
    # the process dies before m2 is done; the restarted one re-reads what it had taken
    restarted = MessengerInbox(client)
    again = await restarted.take("rasa-host", own_pending=True)
    assert [e.event_id for _, e in again] == ["m2"]
    await restarted.done(*again[0])
    assert await restarted.waiting() == 0
    assert await restarted.take("rasa-host", own_pending=True) == []


async def test_another_consumer_claims_stale_entries(client: aioredis.Redis) -> None:
    inbox = MessengerInbox(client, claim_idle_ms=0)
    await inbox.accept([inbound("m1")])
    await inbox.take("dead-host", block_ms=10)
    claimed = await inbox.take("live-host", block_ms=10)
    assert [e.event_id for _, e in claimed] == ["m1"]


async def test_failed_entries_go_to_the_dead_letter_stream(client: aioredis.Redis) -> None:
    inbox = MessengerInbox(client)
    await inbox.accept([inbound("m1")])
    [(entry_id, event)] = await inbox.take("c", block_ms=10)
    await inbox.dead(entry_id, event, "ValueError('boom')")
    assert await inbox.waiting() == 0
    [(_, fields)] = await client.xrange(inbox.dead_stream)
    assert Inbound.from_json(fields[b"event"].decode()) == event and fields[b"error"] == b"ValueError('boom')"


async def test_customer_message_times_and_failed_sends(client: aioredis.Redis) -> None:
    inbox = MessengerInbox(client)
    assert await inbox.last_customer_message("7") is None
    await inbox.note_customer_message("7", 1_800_000_000.25)
    assert await inbox.last_customer_message("7") == 1_800_000_000.25
    await inbox.record_failed_send("7", {"message": {"text": "x"}}, "HTTP 500")
    [(_, fields)] = await client.xrange(inbox.failed_sends)
    assert fields[b"psid"] == b"7" and fields[b"error"] == b"HTTP 500"


async def test_a_conversation_waits_for_its_earlier_message_on_another_server(client: aioredis.Redis) -> None:
    inbox = MessengerInbox(client)
    await inbox.accept([inbound("a1", psid="1"), inbound("b1", psid="2"), inbound("a2", psid="1")])
    [a1] = await inbox.take("rasa-a", count=1, block_ms=10)
    b1, a2 = await inbox.take("rasa-b", block_ms=10)
    assert await inbox.turn(*b1)  # another customer goes on
    assert not await inbox.turn(*a2)  # a1 is still being handled by rasa-a
    assert await inbox.turn(*a1)
    await inbox.done(*a1)
    assert await inbox.turn(*a2)


async def test_a_dead_lettered_message_does_not_hold_its_conversation_up(client: aioredis.Redis) -> None:
    inbox = MessengerInbox(client)
    await inbox.accept([inbound("m1"), inbound("m2")])
    first, second = await inbox.take("c", block_ms=10)
    await inbox.dead(*first, "ValueError('boom')")
    assert await inbox.turn(*second)


async def test_entries_stored_before_the_order_lists_are_not_held_back(client: aioredis.Redis) -> None:
    inbox = MessengerInbox(client)
    await client.xadd(inbox.stream, {"event": inbound("old").to_json()})
    await inbox.accept([inbound("new")])
    old, new = await inbox.take("c", block_ms=10)
    assert await inbox.turn(*old) and await inbox.turn(*new)
    await client.xdel(inbox.stream, new[0])  # deleted by hand: its list entry must not block the next one
    await inbox.accept([inbound("later")])
    [later] = await inbox.take("c", block_ms=10)
    assert await inbox.turn(*later)


async def test_a_message_already_in_its_conversation_is_known(client: aioredis.Redis) -> None:
    """A Rasa server that stored a message and died before marking it done: the next one sees it."""
    inbox = MessengerInbox(client)
    event = inbound("m-stored", psid="42")
    user = {"event": "user", "text": "hej", "metadata": {"messenger": {"mid": "m-stored", "kind": "text"}}}
    await client.rpush(TrackerKeys().events(event.sender_id), json.dumps({"event": "action", "name": "action_listen"}),
                       json.dumps(user), json.dumps({"event": "bot", "text": "Cześć!"}))
    assert await inbox.stored(event)
    assert not await inbox.stored(inbound("m-new", psid="42"))
    assert not await inbox.stored(inbound("m-stored", psid="43"))  # another customer's conversation


async def test_a_message_already_in_its_conversation_is_found_under_the_tracker_stores_prefix(
        client: aioredis.Redis) -> None:
    event = inbound("m9", psid="42")
    stored = json.dumps({"event": "user", "text": "hej", "metadata": {"messenger": {"mid": "m9"}}})
    await client.rpush(TrackerKeys("custom").events(event.sender_id), stored)
    assert await MessengerInbox(client, tracker_prefix="custom").stored(event)
    assert not await MessengerInbox(client).stored(event)  # the default prefix holds no such conversation
