"""Signed Messenger webhooks into the real Rasa server; replies checked at a fake Graph API."""

from __future__ import annotations

import asyncio
import io
import json
import time
import uuid
from typing import Any

import aiohttp
import pytest
import redis

from bot.core import keys
from bot.rasa_side.channels.messenger_protocol import MAX_BODY_BYTES, sign
from tests.integration.test_conversation import faq_answer
from tests.stack import GRAPH_VERSION, MESSENGER_PAGE_TOKEN, MESSENGER_SECRET, MESSENGER_VERIFY, Stack

pytestmark = pytest.mark.integration
PAGE_ID = "1029384756"


def psid() -> str:
    return str(uuid.uuid4().int)[:16]


def event(sender: str, **fields: Any) -> dict[str, Any]:
    return {"sender": {"id": sender}, "recipient": {"id": PAGE_ID}, "timestamp": int(time.time() * 1000), **fields}


def text_event(sender: str, text: str, mid: str | None = None) -> dict[str, Any]:
    return event(sender, message={"mid": mid or f"m_{uuid.uuid4().hex}", "text": text})


def payload(*events: dict[str, Any]) -> bytes:
    return json.dumps({"object": "page", "entry": [{"id": PAGE_ID, "time": int(time.time() * 1000),
                                                     "messaging": list(events)}]}).encode()


async def post(stack: Stack, body: bytes, signature: str | None = "sign") -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if signature == "sign":
        headers["X-Hub-Signature-256"] = sign(MESSENGER_SECRET, body)
    elif signature is not None:
        headers["X-Hub-Signature-256"] = signature
    async with aiohttp.ClientSession() as http:
        url = f"{stack.rasa_url}/webhooks/messenger/webhook"
        async with http.post(url, data=io.BytesIO(body), headers=headers) as r:
            return r.status, await r.json(content_type=None)


async def sent_to(stack: Stack, recipient: str) -> list[dict[str, Any]]:
    async with aiohttp.ClientSession() as http, http.get(f"{stack.graph_url}/_received") as r:
        records = await r.json()
    return [r for r in records if r["body"]["recipient"].get("id") == recipient and "failed" not in r]


async def wait_sent(stack: Stack, recipient: str, count: int = 1, timeout: float = 30) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        records = await sent_to(stack, recipient)
        if len(records) >= count:
            return records
        await asyncio.sleep(0.2)
    raise AssertionError(f"the Graph API got {len(await sent_to(stack, recipient))} messages for {recipient}, "
                         f"expected {count}")


def inbox_length(stack: Stack) -> int:
    client = redis.Redis.from_url(stack.redis_url)
    try:
        return int(client.xlen(keys.MessengerKeys().inbox))
    finally:
        client.close()


async def test_subscription_is_verified_with_the_verify_token(stack: Stack) -> None:
    url = f"{stack.rasa_url}/webhooks/messenger/webhook"
    async with aiohttp.ClientSession() as http:
        good = {"hub.mode": "subscribe", "hub.verify_token": MESSENGER_VERIFY, "hub.challenge": "1158201444"}
        async with http.get(url, params=good) as r:
            assert (r.status, await r.text()) == (200, "1158201444")
        async with http.get(url, params={**good, "hub.verify_token": "wrong"}) as r:
            assert r.status == 403


async def test_signed_question_is_answered_through_the_send_api(stack: Stack) -> None:
    customer = psid()
    started = time.monotonic()
    status, body = await post(stack, payload(text_event(customer, "Jak zwrócić produkt?")))
    assert (status, body["status"]) == (200, "EVENT_RECEIVED")
    assert time.monotonic() - started < 1.0  # acknowledged before the answer is worked out
    [record] = await wait_sent(stack, customer)
    assert record["path"] == f"/{GRAPH_VERSION}/me/messages"
    assert record["query"] == {"access_token": MESSENGER_PAGE_TOKEN}
    assert record["body"]["messaging_type"] == "RESPONSE"
    assert record["body"]["message"]["text"] == faq_answer("return_howto", "pl_ty")


async def test_duplicate_delivery_is_answered_once(stack: Stack) -> None:
    customer = psid()
    body = payload(text_event(customer, "ile kosztuje dostawa", mid=f"m_{uuid.uuid4().hex}"))
    assert (await post(stack, body))[1]["new"] == 1
    assert (await post(stack, body))[1]["new"] == 0  # Messenger's retry of the same message
    await wait_sent(stack, customer)
    await asyncio.sleep(2)
    assert len(await sent_to(stack, customer)) == 1


async def test_quick_replies_postbacks_and_attachments(stack: Stack) -> None:
    customer = psid()
    quick = event(customer, message={"mid": f"m_{uuid.uuid4().hex}", "text": "Koszt dostawy",
                                     "quick_reply": {"payload": '/choose_topic{"faq_id":"delivery_cost"}'}})
    await post(stack, payload(quick))
    [first] = await wait_sent(stack, customer)
    assert first["body"]["message"]["text"] == faq_answer("delivery_cost", "pl_ty")
    photo = event(customer, message={"mid": f"m_{uuid.uuid4().hex}",
                                     "attachments": [{"type": "image", "payload": {"url": "https://x/y.jpg"}}]})
    await post(stack, payload(photo))
    second = (await wait_sent(stack, customer, 2))[1]
    assert "załącznik" in second["body"]["message"]["text"]
    postback = event(customer, postback={"title": "Jak zwrócić produkt?", "payload": "RETURN_HOWTO",
                                         "mid": f"m_{uuid.uuid4().hex}"})
    await post(stack, payload(postback))
    third = (await wait_sent(stack, customer, 3))[2]
    assert third["body"]["message"]["text"] == faq_answer("return_howto", "pl_ty")


async def test_echoes_and_receipts_are_ignored(stack: Stack) -> None:
    customer = psid()
    echo = event(customer, message={"mid": f"m_{uuid.uuid4().hex}", "text": "echo", "is_echo": True})
    delivery = event(customer, delivery={"mids": ["m_1"], "watermark": 1})
    read = event(customer, read={"watermark": 1})
    status, body = await post(stack, payload(echo, delivery, read))
    assert (status, body["events"]) == (200, 0)
    await asyncio.sleep(2)
    assert await sent_to(stack, customer) == []


async def test_failed_sends_are_retried(stack: Stack) -> None:
    customer = psid()
    async with aiohttp.ClientSession() as http:
        await http.post(f"{stack.graph_url}/_fail", json={"count": 2, "status": 500, "kind": "message"})
    await post(stack, payload(text_event(customer, "ile kosztuje dostawa")))
    [record] = await wait_sent(stack, customer)
    assert record["body"]["message"]["text"] == faq_answer("delivery_cost", "pl_ty")


async def test_late_moderator_reply_carries_the_human_agent_tag(stack: Stack) -> None:
    customer = psid()
    await post(stack, payload(text_event(customer, "ile kosztuje dostawa")))
    await wait_sent(stack, customer)
    client = redis.Redis.from_url(stack.redis_url)
    try:  # the customer's last message was 25 hours ago
        client.set(f"messenger:last_in:{customer}", repr(time.time() - 25 * 3600))
    finally:
        client.close()
    async with aiohttp.ClientSession() as http:
        url = f"{stack.rasa_url}/conversations/messenger:{customer}/tracker/events"
        params = {"token": stack.token, "execute_side_effects": "true", "output_channel": "latest"}
        automated = [{"event": "bot", "text": "Automatyczne przypomnienie"}]  # the bot's own: not after 24 h
        async with http.post(url, params=params, json=automated) as r:
            assert r.status == 200
        person = [{"event": "bot", "text": "Dzień dobry, tu Anna.", "metadata": {"moderator": "anna"}}]
        async with http.post(url, params=params, json=person) as r:
            assert r.status == 200
    late = (await wait_sent(stack, customer, 2))[1]["body"]
    assert late["message"]["text"] == "Dzień dobry, tu Anna."
    assert (late["messaging_type"], late["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")
    assert len(await sent_to(stack, customer)) == 2  # the automated one was skipped


@pytest.mark.parametrize(
    ("body", "signature", "status", "message"),
    [
        (payload(text_event("111", "hej")), None, 403, "X-Hub-Signature-256"),
        (payload(text_event("111", "hej")), "sha256=" + "0" * 64, 403, "X-Hub-Signature-256"),
        (payload(text_event("111", "hej")), sign(MESSENGER_SECRET, b"{}"), 403, "X-Hub-Signature-256"),
        (b"{not json", "sign", 400, "not JSON"),
        (json.dumps({"object": "instagram", "entry": []}).encode(), "sign", 400, "unsupported object"),
        (json.dumps({"object": "page"}).encode(), "sign", 400, "missing field body.entry"),
        (json.dumps({"object": "page", "entry": [{"messaging": [{"message": {"mid": "m", "text": "x"}}]}]}).encode(),
         "sign", 400, "sender"),
        (b" " * (MAX_BODY_BYTES + 1), "sign", 413, "larger than"),
        (bytes(range(256)) * 4, "sign", 400, "not JSON"),
        (json.dumps({"object": "page", "entry": [{"messaging": "nope"}]}).encode(), "sign", 400, "must be a list"),
    ],
    ids=["no-signature", "wrong-signature", "signature-of-another-body", "malformed-json", "unknown-object",
         "missing-entry", "missing-sender", "oversized", "binary", "messaging-not-a-list"],
)
async def test_bad_webhooks_are_refused_and_nothing_is_stored(
    stack: Stack, body: bytes, signature: str | None, status: int, message: str
) -> None:
    before = inbox_length(stack)
    got_status, got = await post(stack, body, signature)
    assert got_status == status
    assert message in got["error"]
    assert inbox_length(stack) == before
    await asyncio.sleep(0.5)
    assert await sent_to(stack, "111") == []


async def test_a_chunked_body_past_the_cap_is_refused_before_it_is_read_whole(stack: Stack) -> None:
    async def chunks() -> Any:  # no Content-Length: the channel must count as it reads
        for _ in range(MAX_BODY_BYTES // 65536 + 2):
            yield b" " * 65536

    before = inbox_length(stack)
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": "sha256=" + "0" * 64}
    url = f"{stack.rasa_url}/webhooks/messenger/webhook"
    async with aiohttp.ClientSession() as http, http.post(url, data=chunks(), headers=headers) as r:
        assert r.status == 413  # not 403: refused on size, before the signature is computed
        assert "larger than" in (await r.json(content_type=None))["error"]
    assert inbox_length(stack) == before


async def test_a_flooding_customer_is_told_once_and_the_flood_is_not_stored(stack: Stack) -> None:
    sender, flood = psid(), 45  # the limit is 20 a minute: at most 40 pass even across a window's edge
    status, got = await post(stack, payload(*(text_event(sender, f"spam {i}") for i in range(flood))))
    assert status == 200
    assert 20 <= got["new"] < flood
    told = [r for r in await wait_sent(stack, sender) if r["body"]["message"].get("text", "").startswith("Otrzymujemy")]
    assert 1 <= len(told) <= 2  # once per window
