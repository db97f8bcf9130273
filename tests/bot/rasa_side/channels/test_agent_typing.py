"""Moderator typing through Redis pub/sub to the channels' handlers (K5)."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import redis.asyncio as aioredis

from bot.core.keys import TYPING
from bot.rasa_side.channels.agent_typing import TypingHub, conversation_of, widget_typing

WEB = "web:00000000-0000-4000-8000-000000000001"


def test_only_a_conversation_id_is_taken() -> None:
    assert conversation_of(json.dumps({"conversation_id": "messenger:123"})) == "messenger:123"
    assert conversation_of(json.dumps({"conversation_id": WEB}).encode()) == WEB
    for bad in (b"not json", b"\xff", json.dumps({"conversation_id": "bot:events"}), json.dumps([1]),
                json.dumps({"conversation_id": "x" * 2000}), json.dumps({})):
        assert conversation_of(bad) is None


async def test_the_hub_hands_published_ids_to_every_handler(redis_url: str) -> None:
    hub, seen = TypingHub(), []

    async def first(conversation_id: str) -> None:
        seen.append(("first", conversation_id))

    async def broken(conversation_id: str) -> None:
        raise RuntimeError("one channel failing does not stop the others")

    async def last(conversation_id: str) -> None:
        seen.append(("last", conversation_id))

    for handler in (first, broken, last):
        hub.register(handler)
    hub.start(lambda: aioredis.from_url(redis_url))
    publisher = aioredis.from_url(redis_url)
    try:
        deadline = time.monotonic() + 10
        while not seen and time.monotonic() < deadline:  # published until the subscription is up
            await publisher.publish(TYPING, b"garbage")
            await publisher.publish(TYPING, json.dumps({"conversation_id": "messenger:42"}))
            await asyncio.sleep(0.05)
    finally:
        await hub.stop()
        await publisher.aclose()
    assert seen[:2] == [("first", "messenger:42"), ("last", "messenger:42")]


class FakeSio:
    def __init__(self) -> None:
        self.emitted: list[tuple[str, Any, dict[str, Any]]] = []

    async def emit(self, event: str, data: Any, **kwargs: Any) -> None:
        self.emitted.append((event, data, kwargs))


async def test_the_widget_is_told_for_widget_conversations_only() -> None:
    sio = FakeSio()
    await widget_typing(sio, "messenger:42")
    await widget_typing(sio, WEB)
    assert sio.emitted == [("typing", {"by": "agent"}, {"room": WEB, "ignore_queue": True})]
