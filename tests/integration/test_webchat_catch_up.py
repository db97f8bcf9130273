"""Message ids and catch-up in the widget channel (contract K4), and its long-polling transport,
on the real Rasa server (bot/rasa_side/channels/catch_up.py, catch_up_reader.py, webchat.py)."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import redis.asyncio as aioredis
import socketio

from bot.core.keys import TrackerKeys
from tests.stack import Stack

pytestmark = pytest.mark.integration


class IdCustomer:
    """The product's widget as a socket.io client: asks for ids (``ids``), records every event in
    order, and sets aside the copies without an id that reach it too, as the widget skips them."""

    def __init__(self, ids: bool = True) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.ids = ids
        self.received: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self.copies: list[dict[str, Any]] = []
        for event in ("bot_uttered", "error", "session_confirm", "caught_up"):
            self.client.on(event, self._recorder(event))

    def _recorder(self, event: str) -> Any:
        async def record(data: Any = None) -> None:
            if self.ids and event == "bot_uttered" and "id" not in data:
                self.copies.append(data)
            else:
                await self.received.put((event, data))
        return record

    async def start(self, url: str, session_id: str, transports: tuple[str, ...] = ("websocket",)) -> None:
        await self.client.connect(url, socketio_path="/socket.io", transports=list(transports),
                                  auth={"message_ids": True} if self.ids else None)
        await self.client.emit("session_request", {"session_id": session_id})
        assert await self.next("session_confirm") == session_id

    async def next(self, event: str, timeout: float = 30) -> Any:
        kind, data = await asyncio.wait_for(self.received.get(), timeout)
        assert kind == event, (kind, data)
        return data

    async def catch_up(self, last_id: Any) -> list[dict[str, Any]]:
        """What a catch_up brings: the bot messages up to ``caught_up``, whose count must match."""
        await self.client.emit("catch_up", {"last_id": last_id})
        messages: list[dict[str, Any]] = []
        while True:
            kind, data = await asyncio.wait_for(self.received.get(), 30)
            if kind == "caught_up":
                assert data == {"count": len(messages)}
                return messages
            assert kind == "bot_uttered", (kind, data)
            messages.append(data)


@pytest.fixture
async def customers() -> AsyncIterator[list[IdCustomer]]:
    made: list[IdCustomer] = []
    yield made
    for c in made:
        await c.client.disconnect()


@pytest.fixture
async def stored(stack: Stack) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.from_url(stack.redis_url, decode_responses=True)
    yield client
    await client.aclose()


def web_id() -> str:
    return f"web:{uuid.uuid4()}"


async def bot_events(client: aioredis.Redis, session_id: str) -> list[dict[str, Any]]:
    raw = await client.lrange(TrackerKeys().events(session_id), 0, -1)
    return [e for e in map(json.loads, raw) if e["event"] == "bot"]


async def stored_bot_event(client: aioredis.Redis, session_id: str, timestamp: float,
                           timeout: float = 10) -> dict[str, Any] | None:
    """The stored bot event with ``timestamp``, waited for: Rasa emits a turn's messages before it
    saves the turn, so on a busy machine the socket can be first."""
    deadline = time.monotonic() + timeout
    while True:
        found = [e for e in await bot_events(client, session_id) if e["timestamp"] == timestamp]
        if found or time.monotonic() > deadline:
            return found[-1] if found else None
        await asyncio.sleep(0.05)


async def push(stack: Stack, session_id: str, events: list[dict[str, Any]]) -> None:
    """What the handoff service's outbox does for a moderator's reply (handoff/outbox.py)."""
    async with aiohttp.ClientSession() as http:
        url = f"{stack.rasa_url}/conversations/{session_id}/tracker/events"
        params = {"token": stack.token, "execute_side_effects": "true", "output_channel": "latest"}
        async with http.post(url, params=params, json=events) as r:
            assert r.status == 200, await r.text()


async def test_each_message_carries_the_timestamp_its_event_is_stored_with(
    stack: Stack, customers: list[IdCustomer], stored: aioredis.Redis,
) -> None:
    session_id = web_id()
    widget, other = IdCustomer(), IdCustomer(ids=False)  # the product's widget; rasa-webchat
    customers += [widget, other]
    await widget.start(stack.rasa_url, session_id)
    await other.start(stack.rasa_url, session_id)
    await widget.client.emit("user_uttered", {"message": "ile kosztuje dostawa"})
    answer = await widget.next("bot_uttered")
    assert await stored_bot_event(stored, session_id, answer["id"]) is not None  # a bot turn
    plain = await other.next("bot_uttered")
    assert list(plain) == ["text"] and plain["text"] in answer["text"]  # Rasa's shape: what rasa-webchat shows

    await push(stack, session_id, [{"event": "bot", "text": "Dzień dobry, tu Anna.",
                                    "metadata": {"moderator": "anna", "outbox": "1-0"}},
                                   {"event": "bot", "text": None, "data": {"custom": {"handoff": {"state": "human"}}}}])
    reply, status = await widget.next("bot_uttered"), await widget.next("bot_uttered")
    stored_reply, stored_status = (await bot_events(stored, session_id))[-2:]
    assert reply == {"id": stored_reply["timestamp"], "text": "Dzień dobry, tu Anna."}  # a moderator's push
    assert status == {"id": stored_status["timestamp"], "custom": {"handoff": {"state": "human"}}}
    assert reply["id"] != status["id"]
    assert await other.next("bot_uttered") == {"text": "Dzień dobry, tu Anna."}  # Rasa's shapes, no id
    assert await other.next("bot_uttered") == {"custom": {"handoff": {"state": "human"}}}
    assert widget.received.empty()  # each once with its id (the copies without one are set aside)


async def test_a_pushed_message_keeps_the_timestamp_it_was_given_live_and_stored(
    stack: Stack, customers: list[IdCustomer], stored: aioredis.Redis,
) -> None:
    """The outbox gives each entry's events the entry's time (handoff/outbox.py): a message Rasa
    showed and died before saving is delivered again with the same id, which Rasa must keep."""
    session_id = web_id()
    widget = IdCustomer()
    customers.append(widget)
    await widget.start(stack.rasa_url, session_id)
    await widget.client.emit("user_uttered", {"message": "ile kosztuje dostawa"})  # the channel pushes go to
    await widget.next("bot_uttered")
    given = time.time() - 42.123456
    event = {"event": "bot", "text": "Anna: już sprawdzam.", "timestamp": given, "metadata": {"outbox": "9-0"}}
    await push(stack, session_id, [event])
    assert await widget.next("bot_uttered") == {"id": given, "text": "Anna: już sprawdzam."}
    assert (await bot_events(stored, session_id))[-1]["timestamp"] == given
    await push(stack, session_id, [{"event": "bot", "text": "Anna: paczka wyszła."}])
    later = await widget.next("bot_uttered")
    assert [m["id"] for m in await widget.catch_up(given)] == [later["id"]]  # found by the id it was given


async def test_a_reconnected_widget_gets_what_was_pushed_while_it_was_away(
    stack: Stack, customers: list[IdCustomer], stored: aioredis.Redis,
) -> None:
    session_id = web_id()
    first = IdCustomer()
    customers.append(first)
    await first.start(stack.rasa_url, session_id)
    await first.client.emit("user_uttered", {"message": "Jak zwrócić produkt?"})
    last_shown = (await first.next("bot_uttered"))["id"]
    await first.client.disconnect()  # the phone is locked

    await push(stack, session_id, [{"event": "bot", "text": "Anna: sprawdzam zamówienie."}])
    await push(stack, session_id, [{"event": "bot", "text": "Anna: paczka wyszła wczoraj.",
                                    "data": {"custom": {"handoff": {"state": "human", "moderator": "Anna"}}}}])
    back = IdCustomer()
    customers.append(back)
    await back.start(stack.rasa_url, session_id, transports=("polling",))  # a network without WebSockets
    missed = await back.catch_up(last_shown)
    stored_ids = [e["timestamp"] for e in await bot_events(stored, session_id)]
    assert [m["id"] for m in missed] == stored_ids[-2:]
    assert [m["text"] for m in missed] == ["Anna: sprawdzam zamówienie.", "Anna: paczka wyszła wczoraj."]
    assert missed[1]["custom"] == {"handoff": {"state": "human", "moderator": "Anna"}}
    assert await back.catch_up(missed[-1]["id"]) == []  # nothing after the newest
    assert await back.catch_up(None) == []  # a widget that has shown nothing yet

    await push(stack, session_id, [{"event": "bot", "text": "Anna: coś jeszcze?"}])  # live again, with its id
    assert await back.next("bot_uttered") == {"id": (await bot_events(stored, session_id))[-1]["timestamp"],
                                              "text": "Anna: coś jeszcze?"}


async def test_a_last_id_that_is_no_number_gets_an_error_and_another_is_read_as_a_time(
    stack: Stack, customers: list[IdCustomer], stored: aioredis.Redis,
) -> None:
    mine, other = web_id(), web_id()
    widget, neighbour = IdCustomer(), IdCustomer()
    customers += [widget, neighbour]
    await neighbour.start(stack.rasa_url, other)
    await neighbour.client.emit("user_uttered", {"message": "cześć"})
    foreign = (await neighbour.next("bot_uttered"))["id"]
    await widget.start(stack.rasa_url, mine)
    await widget.client.emit("user_uttered", {"message": "cześć"})
    own = (await widget.next("bot_uttered"))["id"]

    for request in ({"last_id": "abc"}, {"last_id": [own]}, {"last_id": True}, {"session_id": other}, None, "x"):
        await widget.client.emit("catch_up", request)
        error = await widget.next("error")
        assert error["code"] == "bad_last_id", request
    assert await widget.catch_up(own) == []  # still works after refusals (and reads only its own list)
    assert widget.received.empty()

    again = IdCustomer()  # a new connection: each may ask five times
    customers.append(again)
    await again.start(stack.rasa_url, mine)
    # an id with no message of this conversation is read as a time: only this conversation's messages
    assert [m["id"] for m in await again.catch_up(foreign)] == [own]
    assert await again.catch_up(own + 3600) == []

    early = IdCustomer()
    customers.append(early)
    await early.client.connect(stack.rasa_url, socketio_path="/socket.io", transports=["websocket"],
                               auth={"message_ids": True})
    await early.client.emit("catch_up", {"last_id": own})  # before session_request
    assert (await early.next("error"))["code"] == "no_session"
    assert [e["timestamp"] for e in await bot_events(stored, other)] == [foreign]


async def test_a_polling_handshake_from_a_site_not_allowed_is_refused(stack: Stack) -> None:
    handshake = f"{stack.rasa_url}/socket.io/?EIO=4&transport=polling"
    async with aiohttp.ClientSession() as http:
        async with http.get(handshake, headers={"Origin": "https://evil.example"}) as r:
            refused_status, refused_body = r.status, await r.text()
        async with http.get(handshake, headers={"Origin": stack.handoff_url}) as r:
            allowed_status, allowed_body = r.status, await r.text()
            allow_origin = r.headers.getall("Access-Control-Allow-Origin", [])
    assert refused_status == 400 and '"sid"' not in refused_body  # no engine.io session was made
    assert allowed_status == 200 and '"sid"' in allowed_body
    assert allow_origin == [stack.handoff_url]  # once: a second header would make browsers refuse it
