"""Messenger as customers use it: Get Started, profiles, "seen" and typing, queue updates,
Meta's reply windows and retries, on the real stack with the fake Graph API."""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from typing import Any

import aiohttp
import pytest
import redis

from bot.brain.replies import REPLIES
from bot.core import keys
from tests.integration.console import Moderator, ticket_of
from tests.integration.test_conversation import faq_answer
from tests.integration.test_handoff import hand_off
from tests.integration.test_messenger import event, payload, post, psid, sent_to, text_event, wait_sent
from tests.integration.test_webchat import Customer
from tests.stack import Stack

pytestmark = pytest.mark.integration
ANGRY = "To jest skandal! Trzeci tydzień czekam na zwrot pieniędzy, nikt nie odpowiada, mam was dość!"
GET_STARTED = {"title": "Get Started", "payload": "GET_STARTED"}


async def graph(stack: Stack, method: str, path: str, body: Any = None) -> Any:
    async with aiohttp.ClientSession() as http, http.request(method, stack.graph_url + path, json=body) as r:
        assert r.status == 200, await r.text()
        return await r.json()


async def set_profile(stack: Stack, customer: str, **setup: Any) -> None:
    await graph(stack, "POST", "/_profiles", {"psid": customer, **setup})


async def requests_for(stack: Stack, customer: str) -> list[dict[str, Any]]:
    """Every request the fake Graph API got about the customer: profile reads, sender actions, messages."""
    records = await graph(stack, "GET", "/_received?all=1")
    return [r for r in records if (r["kind"] == "profile" and r["path"].endswith(f"/{customer}"))
            or (r["kind"] != "profile" and (r["body"] or {}).get("recipient", {}).get("id") == customer)]


def user_metadata(stack: Stack, customer: str) -> list[dict[str, Any]]:
    client = redis.Redis.from_url(stack.redis_url)
    try:
        raw = client.lrange(keys.TrackerKeys().events(f"messenger:{customer}"), 0, -1)
    finally:
        client.close()
    return [e.get("metadata") or {} for e in map(json.loads, raw) if e.get("event") == "user"]


def set_last_in(stack: Stack, customer: str, seconds_ago: float) -> None:
    client = redis.Redis.from_url(stack.redis_url)
    try:
        client.set(keys.MessengerKeys().last_in(customer), repr(time.time() - seconds_ago))
    finally:
        client.close()


async def wait_for(check: Any, what: str, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = await check()
        if found:
            return found
        await asyncio.sleep(0.2)
    raise AssertionError(f"not within {timeout} s: {what}")


async def test_get_started_greets_in_the_pages_language_without_a_locale(stack: Stack) -> None:
    customer = psid()
    await set_profile(stack, customer, body={"first_name": "Jan", "last_name": "Nowak"})
    await post(stack, payload(event(customer, postback={**GET_STARTED, "mid": f"m_{uuid.uuid4().hex}"})))
    [reply] = await wait_sent(stack, customer)
    assert reply["body"]["message"]["text"] == REPLIES["greet"]["pl_ty"]
    [metadata] = user_metadata(stack, customer)
    assert (metadata["customer_name"], metadata["lang"]) == ("Jan Nowak", "pl")


async def test_get_started_greets_in_the_profiles_language(stack: Stack) -> None:
    customer = psid()
    await set_profile(stack, customer, body={"first_name": "Peter", "last_name": "Chang", "locale": "en_US"})
    await post(stack, payload(event(customer, postback=GET_STARTED)))  # Meta's example has no mid
    [reply] = await wait_sent(stack, customer)
    assert reply["body"]["message"]["text"] == REPLIES["greet"]["en"]
    [metadata] = user_metadata(stack, customer)
    assert (metadata["customer_name"], metadata["lang"]) == ("Peter Chang", "en")


async def test_seen_and_typing_reach_messenger_before_the_reply(stack: Stack) -> None:
    customer = psid()
    await post(stack, payload(text_event(customer, "ile kosztuje dostawa")))
    await wait_sent(stack, customer)
    calls = [(r["kind"], r["body"].get("sender_action")) for r in await requests_for(stack, customer)
             if r["kind"] != "profile"]
    assert calls == [("sender_action", "mark_seen"), ("sender_action", "typing_on"), ("message", None)]
    profile_reads = [r for r in await requests_for(stack, customer) if r["kind"] == "profile"]
    assert len(profile_reads) == 1 and profile_reads[0]["query"]["fields"] == "first_name,last_name,locale"
    await post(stack, payload(text_event(customer, "a zwrot?")))
    await wait_sent(stack, customer, 2)
    assert len([r for r in await requests_for(stack, customer) if r["kind"] == "profile"]) == 1  # cached


@pytest.mark.parametrize("setup", [{"status": 500}, {"garbage": "<html>Service Unavailable</html>"},
                                   {"body": {"first_name": "X" * 500}}, {"delay_ms": 3000}],
                         ids=["500", "garbage", "absurd-name", "slow"])
async def test_a_failing_profile_never_holds_up_the_answer(stack: Stack, setup: dict[str, Any]) -> None:
    customer = psid()
    await set_profile(stack, customer, **setup)
    await post(stack, payload(text_event(customer, "Jak zwrócić produkt?")))
    [reply] = await wait_sent(stack, customer)
    assert reply["body"]["message"]["text"] == faq_answer("return_howto", "pl_ty")
    [metadata] = user_metadata(stack, customer)
    assert "customer_name" not in metadata and metadata["lang"] == "pl"  # the page's language


async def test_the_profile_name_reaches_the_ticket_and_the_greeting(stack: Stack, moderator: Moderator) -> None:
    customer = psid()
    await set_profile(stack, customer, body={"first_name": "Zofia", "last_name": "Kowalska", "locale": "pl_PL"})
    await post(stack, payload(text_event(customer, ANGRY)))
    [told] = await wait_sent(stack, customer)
    assert "w kolejce" in told["body"]["message"]["text"]
    ticket = await ticket_of(stack, f"messenger:{customer}")
    status, detail = await moderator.call("GET", f"/api/tickets/{ticket}")
    assert status == 200
    assert detail["ticket"]["customer_name"] == "Zofia Kowalska"
    assert detail["greeting"] == "Cześć Zofio,"


async def queue_position(moderator: Moderator, ticket: str) -> int:
    status, body = await moderator.call("GET", "/api/queue")
    assert status == 200
    return int(next(t["position"] for t in body["tickets"] if t["id"] == ticket))


async def test_a_waiting_customer_hears_of_their_new_place_on_messenger(stack: Stack, moderator: Moderator) -> None:
    ahead = f"messenger:{psid()}"
    opening = {"conversation_id": ahead, "lang": "pl", "reasons": ["human_request"]}
    service = {"Authorization": f"Bearer {stack.service_token}"}
    async with aiohttp.ClientSession() as http, \
            http.post(f"{stack.handoff_url}/internal/tickets", json=opening, headers=service) as r:
        assert r.status == 201
        first = (await r.json())["ticket"]
    customer = psid()
    await post(stack, payload(text_event(customer, ANGRY)))
    await wait_sent(stack, customer)
    ticket = await ticket_of(stack, f"messenger:{customer}")
    before = await queue_position(moderator, ticket)
    assert (await moderator.call("POST", f"/api/tickets/{first}/claim"))[0] == 200

    async def update() -> str | None:
        texts = [r["body"]["message"].get("text", "") for r in await sent_to(stack, customer)]
        return next((t for t in texts if t.startswith("Czekasz na konsultanta")), None)

    line = await wait_for(update, "a queue update on Messenger")
    place = re.search(r"jesteś (\d+)\. w kolejce", line)
    assert place is not None and int(place.group(1)) == before - 1


async def test_moderator_typing_and_replies_within_metas_windows(stack: Stack, moderator: Moderator) -> None:
    customer = psid()
    await post(stack, payload(text_event(customer, ANGRY)))
    await wait_sent(stack, customer)
    ticket = await ticket_of(stack, f"messenger:{customer}")
    assert (await moderator.call("POST", f"/api/tickets/{ticket}/claim"))[0] == 200
    await wait_sent(stack, customer, 2)  # "Ewa dołącza do rozmowy"

    async def typing_sent() -> int:
        return sum((r["body"] or {}).get("sender_action") == "typing_on" for r in await requests_for(stack, customer))

    typed_before = await typing_sent()
    assert (await moderator.call("POST", f"/api/tickets/{ticket}/typing"))[0] == 202
    await wait_for(lambda: _more(typing_sent, typed_before), "typing_on for the moderator's typing")

    set_last_in(stack, customer, 25 * 3600)
    assert (await moderator.call("POST", f"/api/tickets/{ticket}/reply", {"text": "Już sprawdzam."}))[0] == 200
    late = (await wait_sent(stack, customer, 3))[2]["body"]
    assert late["message"]["text"] == "Już sprawdzam.\n— Ewa"
    assert (late["messaging_type"], late["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")

    set_last_in(stack, customer, 8 * 24 * 3600)
    status, body = await moderator.call("POST", f"/api/tickets/{ticket}/reply", {"text": "Halo?"})
    assert status == 409 and "7-day window" in body["error"]
    status, detail = await moderator.call("GET", f"/api/tickets/{ticket}")
    assert all("Halo?" not in turn["text"] for turn in detail["transcript"])
    assert len(await sent_to(stack, customer)) == 3  # nothing more was sent


async def _more(count: Any, than: int) -> bool:
    return bool(await count() > than)


@pytest.mark.parametrize("status", [429, 503])
async def test_throttled_and_failing_sends_are_retried(stack: Stack, status: int) -> None:
    customer = psid()
    await graph(stack, "POST", "/_fail", {"count": 2, "status": status, "kind": "message"})
    await post(stack, payload(text_event(customer, "ile kosztuje dostawa")))
    [record] = await wait_sent(stack, customer)
    assert record["body"]["message"]["text"] == faq_answer("delivery_cost", "pl_ty")
    failed = [r["failed"] for r in await requests_for(stack, customer) if "failed" in r]
    assert failed == [status, status]


async def test_moderator_typing_reaches_the_widget(stack: Stack, moderator: Moderator) -> None:
    customer = Customer()
    typing: asyncio.Queue[Any] = asyncio.Queue()
    customer.client.on("typing", typing.put)
    try:
        _, ticket = await hand_off(stack, customer)
        assert (await moderator.call("POST", f"/api/tickets/{ticket}/claim"))[0] == 200
        assert (await moderator.call("POST", f"/api/tickets/{ticket}/typing"))[0] == 202
        assert await asyncio.wait_for(typing.get(), timeout=30) == {"by": "agent"}
    finally:
        await customer.client.disconnect()
