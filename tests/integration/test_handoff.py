"""The human queue end to end: widget customer → handoff → moderator → hand back, on the real stack."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from tests.integration.console import Moderator, ticket_of
from tests.integration.test_webchat import Customer, web_id
from tests.stack import Stack

pytestmark = pytest.mark.integration
ANGRY = "To jest skandal! Trzeci tydzień czekam na zwrot pieniędzy, nikt nie odpowiada, mam was dość!"


@pytest.fixture
async def customer() -> AsyncIterator[Customer]:
    c = Customer()
    yield c
    await c.client.disconnect()


async def replies_until(customer: Customer, predicate: Any, timeout: float = 30) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen.append(await customer.next_reply(timeout=deadline - time.monotonic()))
        if predicate(seen[-1]):
            return seen
    raise AssertionError(f"not received; got {seen}")


async def hand_off(stack: Stack, customer: Customer) -> tuple[str, str]:
    session_id = web_id()
    await customer.start(stack.rasa_url, session_id)
    await customer.say(ANGRY)
    seen = await replies_until(customer, lambda m: "custom" in m)
    assert any("w kolejce" in (m.get("text") or "") for m in seen)
    state = seen[-1]["custom"]["handoff"]
    assert state["state"] == "queued" and state["position"] >= 1
    # no number while no moderator is available (handoff.wait_estimate); a number is whole minutes, at least 1
    minutes = state.get("expected_wait_minutes", 1)
    assert isinstance(minutes, int) and minutes >= 1
    return session_id, await ticket_of(stack, session_id)


async def tracker_events(stack: Stack, session_id: str) -> list[dict[str, Any]]:
    async with aiohttp.ClientSession() as http, http.get(f"{stack.rasa_url}/conversations/{session_id}/tracker",
                                                          params={"token": stack.token}) as r:
        return list((await r.json())["events"])


async def assert_silent(stack: Stack, customer: Customer, session_id: str, said: str) -> None:
    """The bot does not answer ``said``. Waits until Rasa stored it: its turn is over then, and a
    reply would have been emitted before and stored with it. Queue updates may still come (the
    queue moves when other tickets are opened or claimed): they are not the bot speaking."""
    deadline = time.monotonic() + 30
    while True:
        events = await tracker_events(stack, session_id)
        said_at = [i for i, e in enumerate(events) if e["event"] == "user" and e.get("text") == said]
        if said_at or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.1)
    assert said_at, f"{said!r} was never stored"
    after = [e for e in events[said_at[-1] + 1:] if e["event"] == "bot" and "outbox" not in (e.get("metadata") or {})]
    assert after == [], f"the bot answered: {after}"
    while not customer.replies.empty():
        reply = customer.replies.get_nowait()
        queued = (reply.get("custom") or {}).get("handoff", {}).get("state") == "queued"
        assert queued and not reply.get("text"), f"unexpected reply: {reply}"


async def test_human_takes_over_replies_and_hands_back(stack: Stack, customer: Customer, moderator: Moderator) -> None:
    session_id, ticket = await hand_off(stack, customer)
    await customer.say("halo? jest tam ktoś?")
    await assert_silent(stack, customer, session_id, "halo? jest tam ktoś?")  # people own the conversation
    status, detail = await moderator.call("GET", f"/api/tickets/{ticket}")
    assert status == 200 and "negative_sentiment" in detail["ticket"]["reasons"]
    assert [t["text"] for t in detail["transcript"] if t["role"] == "customer"] == [ANGRY, "halo? jest tam ktoś?"]
    assert (await moderator.call("POST", f"/api/tickets/{ticket}/claim"))[0] == 200
    joined = await replies_until(customer, lambda m: "custom" in m)
    assert joined[-1]["custom"] == {"handoff": {"state": "human", "moderator": "Ewa"}}
    assert any("Ewa" in (m.get("text") or "") for m in joined)
    text = {"text": "Dzień dobry, już sprawdzam zwrot."}
    assert (await moderator.call("POST", f"/api/tickets/{ticket}/reply", text))[0] == 200
    reply = await replies_until(customer, lambda m: "sprawdzam" in (m.get("text") or ""))
    assert reply[-1]["text"].endswith("— Ewa")
    await customer.say("dziękuję")
    await assert_silent(stack, customer, session_id, "dziękuję")
    assert (await moderator.call("POST", f"/api/tickets/{ticket}/handback"))[0] == 200
    back = await replies_until(customer, lambda m: m.get("custom", {}).get("handoff", {}).get("state") == "bot")
    assert any("asystent" in (m.get("text") or "") for m in back)
    await customer.say("ile kosztuje dostawa?")
    answer = await customer.next_reply()
    assert "dostaw" in answer["text"].lower()  # the bot answers again


async def test_typed_restart_does_not_take_the_conversation_back(stack: Stack, customer: Customer,
                                                                 accounts: None) -> None:
    session_id, ticket = await hand_off(stack, customer)
    await customer.say("/restart")
    await customer.say("ile kosztuje dostawa?")
    await assert_silent(stack, customer, session_id, "ile kosztuje dostawa?")
    assert await ticket_of(stack, session_id) == ticket


async def test_nothing_is_lost_when_the_handoff_service_is_killed(stack: Stack, customer: Customer,
                                                                  moderator: Moderator) -> None:
    _, ticket = await hand_off(stack, customer)
    assert (await moderator.call("POST", f"/api/tickets/{ticket}/claim"))[0] == 200
    await replies_until(customer, lambda m: "custom" in m)
    stack.processes["handoff"].proc.send_signal(signal.SIGKILL)  # between the claim and the reply
    stack.processes["handoff"].proc.wait()
    await customer.say("numer zamówienia to 5518207")
    await customer.say("czy ktoś to czyta?")
    await asyncio.sleep(1)  # let the socket send them while the service is down
    await asyncio.to_thread(stack.restart_handoff)
    expected = [ANGRY, "numer zamówienia to 5518207", "czy ktoś to czyta?"]
    deadline = time.monotonic() + 20
    while True:
        status, detail = await moderator.call("GET", f"/api/tickets/{ticket}")  # the session survived in Redis
        assert status == 200
        customer_lines = [t["text"] for t in detail["transcript"] if t["role"] == "customer"]
        if customer_lines == expected or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.2)
    assert customer_lines == expected
    assert (detail["ticket"]["state"], detail["ticket"]["owner"]) == ("assigned", "ewa")
    joined = [t for t in detail["transcript"] if "dołącza" in t["text"]]
    assert len(joined) == 1  # the status delivered before the kill is not sent again
    assert (await moderator.call("POST", f"/api/tickets/{ticket}/reply", {"text": "Czytam, już sprawdzam."}))[0] == 200
    reply = await replies_until(customer, lambda m: "Czytam" in (m.get("text") or ""))
    assert reply[-1]["text"].endswith("— Ewa")
