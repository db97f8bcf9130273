"""A real conversation through Rasa 3.6 (Python 3.10) and the action server (rasa-sdk 3.21, Python 3.11)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import redis
import yaml

from bot.core import keys
from ops.processes import REPO, bearer
from tests.stack import Stack

pytestmark = pytest.mark.integration


def faq_answer(topic: str, key: str) -> str:
    data = yaml.safe_load((REPO / "faq_corpus" / "faq" / f"{topic}.yml").read_text("utf-8"))
    return str(data["answer"][key]).strip()


async def say(stack: Stack, sender: str, text: str) -> list[dict[str, Any]]:
    async with aiohttp.ClientSession() as session:
        payload = {"sender": sender, "message": text}
        async with session.post(f"{stack.rasa_url}/webhooks/rest/webhook", json=payload) as response:
            assert response.status == 200
            return list(await response.json())


async def test_polish_and_english_faq_questions_are_answered_over_rest(stack: Stack) -> None:
    sender = f"rest-{uuid.uuid4().hex[:8]}"
    greeting = await say(stack, sender, "Cześć!")
    assert greeting[0]["text"].startswith("Cześć! Tu asystent Volta")
    answer = await say(stack, sender, "Jak zwrócić produkt?")
    assert [m["text"] for m in answer] == [faq_answer("return_howto", "pl_ty")]
    english = await say(stack, f"{sender}-en", "How do I return a product?")
    assert [m["text"] for m in english] == [faq_answer("return_howto", "en")]
    thanks = await say(stack, sender, "dzięki")
    assert thanks[0]["text"].startswith("Nie ma sprawy")
    again = await say(stack, sender, "no dobrze, ale jak mam zwrócić ten produkt?")
    assert "w kolejce" in again[0]["text"]  # the same question again: a person takes over


async def test_request_for_a_person_is_queued_and_the_bot_falls_silent(stack: Stack) -> None:
    sender = f"human-{uuid.uuid4().hex[:8]}"
    reply = await say(stack, sender, "chce rozmawiac z czlowiekiem, nie z botem")
    assert "w kolejce" in reply[0]["text"]
    assert reply[-1]["custom"]["handoff"]["state"] == "queued"
    assert await say(stack, sender, "ile kosztuje dostawa?") == []  # paused: people own it now


async def test_chosen_quick_reply_answers_that_topic(stack: Stack) -> None:
    sender = f"choose-{uuid.uuid4().hex[:8]}"
    reply = await say(stack, sender, '/choose_topic{"faq_id":"delivery_cost"}')
    assert [m["text"] for m in reply] == [faq_answer("delivery_cost", "pl_ty")]


async def test_conversation_is_kept_in_redis(stack: Stack) -> None:
    sender = f"store-{uuid.uuid4().hex[:8]}"
    await say(stack, sender, "ile kosztuje dostawa")
    client = redis.Redis.from_url(stack.redis_url, decode_responses=True)
    try:
        tracker = keys.TrackerKeys()
        stored = [json.loads(e) for e in client.lrange(tracker.events(sender), 0, -1)]
        streamed = [json.loads(f["event"]) for _, f in client.xrange(tracker.stream) if f["sender_id"] == sender]
    finally:
        client.close()
    user = [e["text"] for e in stored if e["event"] == "user"]
    bot = [e["text"] for e in stored if e["event"] == "bot"]
    assert user == ["ile kosztuje dostawa"] and bot == [faq_answer("delivery_cost", "pl_ty")]
    assert streamed == stored  # the handoff service's feed has every event, in order


async def test_rasa_http_api_needs_the_token(stack: Stack) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{stack.rasa_url}/status") as response:
            assert response.status == 401
        async with session.get(f"{stack.rasa_url}/status", params={"token": stack.token}) as response:
            assert response.status == 200  # Rasa's own tools send ?token=
        async with session.get(f"{stack.rasa_url}/status", headers=bearer(stack.token)) as response:
            assert response.status == 200  # this product's callers send the header
        async with session.get(f"{stack.rasa_url}/status", headers=bearer(stack.token[:-1] + "x")) as response:
            assert response.status == 401


def test_index_in_use_is_a_published_version(stack: Stack) -> None:
    current = (stack.index_dir / "CURRENT").read_text().strip()
    assert (Path(stack.index_dir) / current / "meta.json").exists()
