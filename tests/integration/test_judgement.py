"""Judgement over the conversation, end to end: Rasa's tracker gives the action server the turns
(the customer's messages, and the bot's replies with what it decided and which topic it answered),
and the brain reads the latest message with them. Each rule of ``bot.brain.decision`` that looks
at the conversation, on the real stack."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.integration.console import Moderator, ticket_of
from tests.integration.test_conversation import faq_answer, say
from tests.stack import Stack

pytestmark = pytest.mark.integration
QUEUED = "w kolejce"
REJECTED_REPLY = "Przepraszam, że to nie pomogło."


def sender(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


def topics_offered(reply: list[dict[str, Any]]) -> list[str]:
    return [b["payload"].split('"faq_id":"')[1].rstrip('"}') for m in reply for b in m.get("buttons", [])]


async def reasons(stack: Stack, moderator: Moderator, conversation: str) -> list[str]:
    status, detail = await moderator.call("GET", f"/api/tickets/{await ticket_of(stack, conversation)}")
    assert status == 200
    return list(detail["ticket"]["reasons"])


async def test_a_calm_rejection_gets_other_topics_once_then_a_person(stack: Stack, moderator: Moderator) -> None:
    customer = sender("rejects")
    answer = await say(stack, customer, "ile kosztuje dostawa kurierem?")
    assert [m["text"] for m in answer] == [faq_answer("delivery_cost", "pl_ty")]
    other = await say(stack, customer, "nie o to pytałem")
    assert other[0]["text"].startswith(REJECTED_REPLY)
    offered = topics_offered(other)
    # the question's other likely topics, not the answer that did not help
    assert len(offered) == 3 and "delivery_cost" not in offered and "delivery_methods" in offered
    person = await say(stack, customer, "dalej nie to")
    assert QUEUED in person[0]["text"]
    assert await reasons(stack, moderator, customer)  # the ticket says why


async def test_an_upset_rejection_goes_to_a_person_at_once(stack: Stack) -> None:
    customer = sender("upset")
    await say(stack, customer, "jak zwrócić produkt?")
    reply = await say(stack, customer, "TO W OGÓLE NIE JEST ODPOWIEDŹ NA MOJE PYTANIE!!! szlag mnie trafia")
    assert QUEUED in reply[0]["text"]
    assert reply[-1]["custom"]["handoff"]["state"] == "queued"


async def test_the_same_question_again_goes_to_a_person_with_that_reason(stack: Stack, moderator: Moderator) -> None:
    customer = sender("again")
    answer = await say(stack, customer, "Jak zwrócić produkt?")
    assert [m["text"] for m in answer] == [faq_answer("return_howto", "pl_ty")]
    await say(stack, customer, "dzięki")
    again = await say(stack, customer, "no dobrze, ale jak mam zwrócić ten produkt?")
    assert QUEUED in again[0]["text"]
    assert "repeated_question" in await reasons(stack, moderator, customer)


async def test_a_follow_up_is_answered_with_the_conversations_topic(stack: Stack) -> None:
    customer = sender("follow")
    await say(stack, customer, "jak mogę zapłacić za zamówienie?")
    instalments = await say(stack, customer, "a na raty też się da?")
    assert [m["text"] for m in instalments] == [faq_answer("installments", "pl_ty")]
    english = sender("follow-en")
    await say(stack, english, "how much is delivery by courier?")
    abroad = await say(stack, english, "and abroad?")
    assert [m["text"] for m in abroad] == [faq_answer("delivery_international", "en")]


async def test_an_angry_message_is_never_told_the_bot_cannot_help(stack: Stack) -> None:
    customer = sender("angry")
    calm = await say(stack, customer, "jaka jest pogoda w Krakowie?")
    assert calm[0]["text"].startswith("Tu raczej nie pomogę")  # calm and off-topic: the off-topic reply
    angry = await say(stack, customer, "mam dość waszego bota, do niczego się nie nadajesz!!!")
    assert QUEUED in angry[0]["text"]


async def test_a_second_message_the_bot_cannot_place_goes_to_a_person(stack: Stack, moderator: Moderator) -> None:
    customer = sender("unplaced")
    first = await say(stack, customer, "pytanie o zwrot")
    assert first[0]["text"].startswith("Nie jestem pewien") and len(topics_offered(first)) == 3
    second = await say(stack, customer, "o zwrot za towar z promocji kupiony na firmę")
    assert QUEUED in second[0]["text"]
    assert "second_attempt" in await reasons(stack, moderator, customer)


async def test_anger_rising_after_an_answer_goes_to_a_person(stack: Stack) -> None:
    customer = sender("rising")
    answer = await say(stack, customer, "gdzie jest moja paczka? czekam już tydzień")
    assert [m["text"] for m in answer] == [faq_answer("order_status", "pl_ty")]
    angrier = await say(stack, customer, "no ludzie, ile można czekać, to już przesada")
    assert QUEUED in angrier[0]["text"]
