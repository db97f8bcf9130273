"""Rasa's socket.io protocol as third-party widgets (rasa-webchat) speak it, on the real stack:
``session_request`` without an id, ``customData``, HTTP long-polling from an allowed origin
(bot/rasa_side/channels/webchat.py, channels/rasa_protocol.py)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
import pytest
import redis.asyncio as aioredis
import socketio

from bot.core.conversation_ids import valid_web_id
from bot.core.keys import LimitKeys
from bot.rasa_side.channels.rasa_protocol import MAX_CUSTOM_DATA_BYTES
from bot.rasa_side.limits import HOUR
from tests.integration.test_conversation import faq_answer
from tests.integration.test_rest_channel import client_part
from tests.integration.test_webchat import Customer, stored_texts
from tests.stack import Stack

pytestmark = pytest.mark.integration

QUESTION = "Jak zwrócić produkt?"


async def rasa_webchat(stack: Stack, ip: str, transports: list[str] | None = None) -> Customer:
    """A customer the way rasa-webchat connects (polling first, upgraded); loopback is a trusted
    proxy, so ``ip`` stands for the client's address."""
    customer = Customer()
    await customer.client.connect(stack.rasa_url, socketio_path="/socket.io/", transports=transports,
                                  headers={"X-Forwarded-For": ip, "Origin": stack.handoff_url})
    return customer


async def ask(customer: Customer, session_id: Any, text: str, custom: Any) -> None:
    await customer.client.emit("user_uttered", {"message": text, "customData": custom, "session_id": session_id})


async def user_metadata(stack: Stack, session_id: str) -> list[dict[str, Any]]:
    async with aiohttp.ClientSession() as http, http.get(f"{stack.rasa_url}/conversations/{session_id}/tracker",
                                                          params={"token": stack.token}) as r:
        return [client_part(e["metadata"]) for e in (await r.json())["events"] if e["event"] == "user"]


async def opened_by(stack: Stack, ip: str) -> set[str]:
    """The conversations ``ip`` opened this hour and the last (bot.rasa_side.limits)."""
    client = aioredis.from_url(stack.redis_url, decode_responses=True)
    now, keys = int(time.time() // HOUR), LimitKeys()
    opened = [*await client.smembers(keys.opened(ip, now)), *await client.smembers(keys.opened(ip, now - 1))]
    await client.aclose()
    return {str(member) for member in opened}


@pytest.mark.parametrize("request_data", [{"session_id": None}, {}, None, {"session_id": "web:not-a-uuid"},
                                          {"session_id": "3f2a9c0e4b1d4e6f8a7b5c3d2e1f0a9b"}])  # stock Rasa's
async def test_a_session_request_without_an_id_gets_a_server_made_one_a_reconnect_keeps(
        stack: Stack, request_data: Any) -> None:
    ip = "198.51.100.41"
    first = await rasa_webchat(stack, ip)
    await first.client.emit("session_request", request_data)
    made = await asyncio.wait_for(first.confirmed.get(), 10)
    assert valid_web_id(made)
    assert made in await opened_by(stack, ip)  # counted against the address's new conversations
    await ask(first, made, QUESTION, {"language": "pl"})
    assert (await first.next_reply())["text"] == faq_answer("return_howto", "pl_ty")
    await first.client.disconnect()

    again = await rasa_webchat(stack, ip)  # rasa-webchat reconnecting: the id it was given
    await again.client.emit("session_request", {"session_id": made})
    assert await asyncio.wait_for(again.confirmed.get(), 10) == made
    await ask(again, made, "ile kosztuje dostawa", {"language": "pl"})
    assert "dostaw" in (await again.next_reply())["text"].lower()
    await again.client.disconnect()
    assert await stored_texts(stack, made) == [QUESTION, "ile kosztuje dostawa"]


@pytest.mark.parametrize("other", ["comment:123456789_987654321", "messenger:1234567890"])
async def test_another_channels_conversation_is_still_refused(stack: Stack, other: str) -> None:
    customer = await rasa_webchat(stack, "198.51.100.42", ["websocket"])
    await customer.client.emit("session_request", {"session_id": other})
    assert (await asyncio.wait_for(customer.errors.get(), 10))["code"] == "bad_session_id"
    await ask(customer, other, QUESTION, None)
    assert (await asyncio.wait_for(customer.errors.get(), 10))["code"] == "no_session"
    assert customer.confirmed.empty() and customer.replies.empty()
    await customer.client.disconnect()


async def test_custom_data_reaches_the_metadata_and_metadata_wins(stack: Stack) -> None:
    customer = await rasa_webchat(stack, "198.51.100.43", ["websocket"])
    await customer.client.emit("session_request", {"session_id": None})
    session_id = await asyncio.wait_for(customer.confirmed.get(), 10)
    custom = {"language": "en", "page": "https://shop.example/p/2", "customer_name": "Mallory", "client_ip": "10.1.1.1"}
    await ask(customer, session_id, "How do I return a product?", custom)
    await customer.next_reply()
    await customer.client.emit("user_uttered", {"message": "thanks", "customData": {"language": "en"},
                                                "metadata": {"lang": "pl"}, "session_id": session_id})
    await customer.next_reply()
    await customer.client.disconnect()
    assert await user_metadata(stack, session_id) == [
        {"client_ip": "198.51.100.43", "lang": "en", "page": "https://shop.example/p/2"},
        {"client_ip": "198.51.100.43", "lang": "pl"},
    ]


async def test_too_large_custom_data_is_refused_and_not_stored(stack: Stack) -> None:
    customer = await rasa_webchat(stack, "198.51.100.44", ["websocket"])
    await customer.client.emit("session_request", {"session_id": None})
    session_id = await asyncio.wait_for(customer.confirmed.get(), 10)
    await ask(customer, session_id, "ile kosztuje dostawa", {"language": "pl", "page": "x" * MAX_CUSTOM_DATA_BYTES})
    assert (await asyncio.wait_for(customer.errors.get(), 10))["code"] == "too_large"
    await ask(customer, session_id, QUESTION, {"language": "pl"})  # handled after the refused one
    await customer.next_reply()
    await customer.client.disconnect()
    assert await stored_texts(stack, session_id) == [QUESTION]


async def test_polling_works_from_an_allowed_origin_only(stack: Stack) -> None:
    async with aiohttp.ClientSession() as http:  # closed here even though the connection fails
        refused = socketio.AsyncClient(http_session=http)
        with pytest.raises(socketio.exceptions.ConnectionError):
            await refused.connect(stack.rasa_url, socketio_path="/socket.io/", transports=["polling"],
                                  headers={"Origin": "https://evil.example"})
    customer = await rasa_webchat(stack, "198.51.100.45", ["polling"])
    assert customer.client.transport() == "polling"
    await customer.client.emit("session_request", {"session_id": None})
    session_id = await asyncio.wait_for(customer.confirmed.get(), 10)
    await ask(customer, session_id, QUESTION, {"language": "pl"})
    assert (await customer.next_reply())["text"] == faq_answer("return_howto", "pl_ty")
    # python-engineio's client waits for its pending long poll (up to the ping interval) to leave
    await customer.client.eio.disconnect(abort=True)
