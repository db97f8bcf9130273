"""The satisfaction survey end to end: a moderator resolves, the customer gets 1-5, clicks 4 and
writes a comment, and the ticket has both; in the widget's socket.io channel and in Messenger."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.rasa_side.channels.messenger_protocol import MAX_QUICK_REPLIES, MAX_QUICK_REPLY_TITLE
from handoff.ratings import rating_payload
from tests.integration.console import Moderator, ticket_of
from tests.integration.test_handoff import ANGRY, hand_off, replies_until
from tests.integration.test_messenger import event, payload, post, psid, text_event, wait_sent
from tests.integration.test_webchat import Customer
from tests.stack import Stack

pytestmark = pytest.mark.integration
SURVEY = "Jak oceniasz rozmowę z nami? 1 – źle, 5 – świetnie"
COMMENT = "Szybko i konkretnie, dziękuję"


@pytest.fixture
async def customer() -> AsyncIterator[Customer]:
    c = Customer()
    yield c
    await c.client.disconnect()


async def resolve(moderator: Moderator, ticket: str) -> None:
    assert (await moderator.call("POST", f"/api/tickets/{ticket}/claim"))[0] == 200
    assert (await moderator.call("POST", f"/api/tickets/{ticket}/resolve"))[0] == 200


async def rating_of(moderator: Moderator, ticket: str) -> tuple[Any, Any]:
    status, detail = await moderator.call("GET", f"/api/tickets/{ticket}")
    assert status == 200
    return detail["ticket"]["rating"], detail["ticket"]["rating_comment"]


async def test_a_widget_customer_rates_the_resolution_and_comments(stack: Stack, customer: Customer,
                                                                   moderator: Moderator) -> None:
    session_id, ticket = await hand_off(stack, customer)
    await resolve(moderator, ticket)
    survey = (await replies_until(customer, lambda m: m.get("text") == SURVEY))[-1]
    assert [(r["title"], r["payload"]) for r in survey["quick_replies"]] == [
        (str(s), rating_payload(ticket, s)) for s in range(1, 6)]
    await customer.say(rating_payload(ticket, 4), session_id)
    asked = (await replies_until(customer, lambda m: "Chcesz coś dodać?" in (m.get("text") or "")))[-1]
    assert [r["title"] for r in asked["quick_replies"]] == ["Pomiń"]
    assert await rating_of(moderator, ticket) == (4, "")
    await customer.say(COMMENT, session_id)
    await replies_until(customer, lambda m: (m.get("text") or "").startswith("Dziękujemy!"))
    assert await rating_of(moderator, ticket) == (4, COMMENT)
    status, stats = await moderator.call("GET", "/api/stats")
    assert status == 200 and stats["satisfaction"]["channels"]["webchat"]["count"] >= 1


async def test_a_messenger_customer_rates_with_quick_replies(stack: Stack, moderator: Moderator) -> None:
    customer = psid()
    await post(stack, payload(text_event(customer, ANGRY)))
    told = len(await wait_sent(stack, customer))
    ticket = await ticket_of(stack, f"messenger:{customer}")
    await resolve(moderator, ticket)

    def find(records: list[dict[str, Any]], text: str) -> dict[str, Any] | None:
        return next((r["body"]["message"] for r in records if text in r["body"]["message"].get("text", "")), None)

    survey = None
    for count in range(told + 1, told + 6):  # "joined", the hand-back line, then the survey
        survey = find(await wait_sent(stack, customer, count), SURVEY)
        if survey:
            break
    assert survey is not None
    quick = survey["quick_replies"]
    assert len(quick) <= MAX_QUICK_REPLIES and all(len(q["title"]) <= MAX_QUICK_REPLY_TITLE for q in quick)
    assert [(q["title"], q["payload"]) for q in quick] == [(str(s), rating_payload(ticket, s)) for s in range(1, 6)]
    sent = len(await wait_sent(stack, customer, count))
    clicked = event(customer, message={"mid": f"m_{uuid.uuid4().hex}", "text": "4",
                                       "quick_reply": {"payload": rating_payload(ticket, 4)}})
    await post(stack, payload(clicked))
    asked = find(await wait_sent(stack, customer, sent + 1), "Chcesz coś dodać?")
    assert asked is not None and [q["title"] for q in asked["quick_replies"]] == ["Pomiń"]
    await post(stack, payload(text_event(customer, COMMENT)))
    thanks = find(await wait_sent(stack, customer, sent + 2), "Dziękujemy!")
    assert thanks is not None
    assert await rating_of(moderator, ticket) == (4, COMMENT)
