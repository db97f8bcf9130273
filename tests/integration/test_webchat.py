"""The web widget's socket.io channel (bot/rasa_side/channels/webchat.py) on the real Rasa server."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import socketio

from tests.integration.test_conversation import faq_answer
from tests.integration.test_rest_channel import client_part
from tests.stack import Stack

pytestmark = pytest.mark.integration


class Customer:
    """A socket.io client the way the widget speaks."""

    def __init__(self) -> None:
        self.client = socketio.AsyncClient()
        self.replies: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.errors: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.confirmed: asyncio.Queue[str] = asyncio.Queue()
        self.client.on("bot_uttered", self.replies.put)
        self.client.on("error", self.errors.put)
        self.client.on("session_confirm", self.confirmed.put)

    async def start(self, url: str, session_id: str) -> None:
        await self.client.connect(url, socketio_path="/socket.io", transports=["websocket"])
        await self.client.emit("session_request", {"session_id": session_id})

    async def say(self, text: str, session_id: str | None = None) -> None:
        await self.client.emit("user_uttered", {"session_id": session_id, "message": text})

    async def next_reply(self, timeout: float = 30) -> dict[str, Any]:
        return await asyncio.wait_for(self.replies.get(), timeout=timeout)


@pytest.fixture
async def customer() -> AsyncIterator[Customer]:
    c = Customer()
    yield c
    await c.client.disconnect()


def web_id() -> str:
    return f"web:{uuid.uuid4()}"


async def test_widget_conversation_gets_answers(stack: Stack, customer: Customer) -> None:
    session_id = web_id()
    await customer.start(stack.rasa_url, session_id)
    assert await asyncio.wait_for(customer.confirmed.get(), 10) == session_id
    await customer.say("Jak zwrócić produkt?")
    assert (await customer.next_reply())["text"] == faq_answer("return_howto", "pl_ty")


async def test_session_ids_not_made_by_the_widget_are_refused(stack: Stack, customer: Customer) -> None:
    await customer.start(stack.rasa_url, "messenger:1234567890")
    error = await asyncio.wait_for(customer.errors.get(), 10)
    assert "session_id" in error["error"]
    await customer.say("Jak zwrócić produkt?", session_id="messenger:1234567890")
    assert "session_request" in (await asyncio.wait_for(customer.errors.get(), 10))["error"]
    assert customer.replies.empty()


async def test_a_socket_speaks_only_for_its_own_conversation(stack: Stack, customer: Customer) -> None:
    mine, victim = web_id(), web_id()
    await customer.start(stack.rasa_url, mine)
    await asyncio.wait_for(customer.confirmed.get(), 10)
    await customer.say("ile kosztuje dostawa", session_id=victim)  # the claimed id is ignored
    await customer.next_reply()
    async with aiohttp.ClientSession() as http:
        params = {"token": stack.token}
        async with http.get(f"{stack.rasa_url}/conversations/{victim}/tracker", params=params) as r:
            victim_events = (await r.json())["events"]
        async with http.get(f"{stack.rasa_url}/conversations/{mine}/tracker", params=params) as r:
            my_texts = [e.get("text") for e in (await r.json())["events"] if e["event"] == "user"]
    assert not [e for e in victim_events if e["event"] == "user"]
    assert my_texts == ["ile kosztuje dostawa"]


async def test_pushed_status_and_moderator_messages_reach_the_widget(stack: Stack, customer: Customer) -> None:
    session_id = web_id()
    await customer.start(stack.rasa_url, session_id)
    await customer.say("Jak zwrócić produkt?")
    await customer.next_reply()
    events = [{"event": "bot", "text": None, "data": {"custom": {"handoff": {"state": "human", "moderator": "Anna"}}}},
              {"event": "bot", "text": "Dzień dobry, tu Anna."}]
    async with aiohttp.ClientSession() as http:
        url = f"{stack.rasa_url}/conversations/{session_id}/tracker/events"
        params = {"token": stack.token, "execute_side_effects": "true", "output_channel": "latest"}
        async with http.post(url, params=params, json=events) as r:
            assert r.status == 200, await r.text()
    assert await customer.next_reply() == {"custom": {"handoff": {"state": "human", "moderator": "Anna"}}}
    assert (await customer.next_reply())["text"] == "Dzień dobry, tu Anna."


async def test_oversized_message_is_refused(stack: Stack, customer: Customer) -> None:
    await customer.start(stack.rasa_url, web_id())
    await customer.say("a" * 6000)
    assert "longer than" in (await asyncio.wait_for(customer.errors.get(), 10))["error"]
    assert customer.replies.empty()


@pytest.mark.parametrize("payload", [None, "text", 7, [1, 2], {"message": None}, {"message": 12},
                                     {"message": "   "}])
async def test_malformed_messages_get_an_error_not_a_crash(stack: Stack, customer: Customer, payload: Any) -> None:
    await customer.start(stack.rasa_url, web_id())
    await asyncio.wait_for(customer.confirmed.get(), 10)
    await customer.client.emit("user_uttered", payload)
    assert "error" in await asyncio.wait_for(customer.errors.get(), 10)
    await customer.say("ile kosztuje dostawa")  # the connection still works
    assert "dostaw" in (await customer.next_reply())["text"].lower()


@pytest.mark.parametrize("text", ["مرحبا، أين طلبي؟", "\u202egnp.exe", "\x00\x01\x02 binary \ufffd\ufffd",
                                  "<script>alert(1)</script>", "🙂🙂🙂"])
async def test_odd_text_gets_an_answer(stack: Stack, customer: Customer, text: str) -> None:
    await customer.start(stack.rasa_url, web_id())
    await customer.say(text)
    reply = await customer.next_reply()
    assert reply.get("text") and "<script>" not in reply["text"]


async def test_a_socket_cannot_switch_to_another_conversation(stack: Stack, customer: Customer) -> None:
    mine, other = web_id(), web_id()
    await customer.start(stack.rasa_url, mine)
    assert await asyncio.wait_for(customer.confirmed.get(), 10) == mine
    await customer.client.emit("session_request", {"session_id": other})
    error = await asyncio.wait_for(customer.errors.get(), 10)
    assert error["code"] == "one_conversation"
    await customer.client.emit("session_request", {"session_id": mine})  # the same one again is fine
    assert await asyncio.wait_for(customer.confirmed.get(), 10) == mine


async def test_only_allowed_web_sites_may_open_a_socket(stack: Stack) -> None:
    async with aiohttp.ClientSession() as http:  # closed here even though the connection fails
        refused = socketio.AsyncClient(http_session=http)
        with pytest.raises(socketio.exceptions.ConnectionError):
            await refused.connect(stack.rasa_url, socketio_path="/socket.io", transports=["websocket"],
                                  headers={"Origin": "https://evil.example"})
    allowed = socketio.AsyncClient()
    await allowed.connect(stack.rasa_url, socketio_path="/socket.io", transports=["websocket"],
                          headers={"Origin": stack.handoff_url})
    assert allowed.connected
    await allowed.disconnect()


async def test_metadata_is_reduced_and_carries_the_client_ip(stack: Stack, customer: Customer) -> None:
    session_id = web_id()
    await customer.client.connect(stack.rasa_url, socketio_path="/socket.io", transports=["websocket"],
                                  headers={"X-Forwarded-For": "198.51.100.23"})  # loopback is a trusted proxy
    await customer.client.emit("session_request", {"session_id": session_id})
    await asyncio.wait_for(customer.confirmed.get(), 10)
    metadata = {"lang": "en", "page": "https://shop.example/p/1", "customer_name": "Mallory",
                "client_ip": "127.0.0.9", "blob": "x" * 50_000}
    await customer.client.emit("user_uttered", {"message": "How do I return a product?", "metadata": metadata})
    await customer.next_reply()
    async with aiohttp.ClientSession() as http, http.get(f"{stack.rasa_url}/conversations/{session_id}/tracker",
                        params={"token": stack.token}) as r:
        stored = [client_part(e["metadata"]) for e in (await r.json())["events"] if e["event"] == "user"]
    assert stored == [{"client_ip": "198.51.100.23", "lang": "en", "page": "https://shop.example/p/1"}]


async def stored_texts(stack: Stack, session_id: str) -> list[str]:
    async with aiohttp.ClientSession() as http, http.get(f"{stack.rasa_url}/conversations/{session_id}/tracker",
                                                          params={"token": stack.token}) as r:
        return [e["text"] for e in (await r.json())["events"] if e["event"] == "user"]


async def stored_once(stack: Stack, session_id: str, enough: int, every: float = 0.2) -> list[str]:
    """The customer's stored texts once there are ``enough`` (or after 150 looks)."""
    stored: list[str] = []
    for _ in range(150):
        stored = await stored_texts(stack, session_id)
        if len(stored) >= enough:
            break
        await asyncio.sleep(every)
    return stored


async def test_messages_sent_back_to_back_are_stored_in_the_order_sent(stack: Stack, customer: Customer) -> None:
    session_id = web_id()
    await customer.start(stack.rasa_url, session_id)
    await asyncio.wait_for(customer.confirmed.get(), 10)
    sent = [f"dzięki {n}" for n in range(8)]
    for text in sent:  # no waiting for answers: each emit's handler runs as its own task in Rasa
        await customer.say(text)
    assert await stored_once(stack, session_id, len(sent)) == sent


async def test_what_a_socket_sent_before_it_closed_is_still_stored(stack: Stack, customer: Customer) -> None:
    session_id = web_id()
    await customer.start(stack.rasa_url, session_id)
    await asyncio.wait_for(customer.confirmed.get(), 10)
    sent = [f"dzięki {n}" for n in range(5)]
    for text in sent:
        await customer.say(text)
    # the first is in: the others reached the server and wait their turn there
    first = await stored_once(stack, session_id, 1, every=0.02)
    assert len(first) < len(sent), "all handled before the socket closed: the test proves nothing"
    await customer.client.disconnect()  # the tab is closed
    assert await stored_once(stack, session_id, len(sent)) == sent
