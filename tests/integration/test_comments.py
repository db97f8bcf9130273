"""Comments under the page's posts, end to end: signed ``feed`` webhooks into the real Rasa server,
the bot's and the moderators' answers checked at the fake Graph API, the public ticket in the console."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

import aiohttp
import pytest

from tests.integration.console import Moderator, ticket_of
from tests.integration.test_conversation import faq_answer
from tests.integration.test_handoff import ANGRY
from tests.integration.test_messenger import PAGE_ID, post
from tests.integration.test_webchat import stored_texts
from tests.stack import GRAPH_VERSION, Stack

pytestmark = pytest.mark.integration


def new_comment(text: str, commenter: str = "", parent: str = "") -> dict[str, Any]:
    """A ``changes`` item as in Meta's "Webhooks for Pages" feed example: a comment or a reply."""
    post_id = f"{PAGE_ID}_{uuid.uuid4().int % 10**12}"
    comment_id = f"{post_id.split('_')[1]}_{uuid.uuid4().int % 10**15}"
    return {"field": "feed", "value": {
        "from": {"id": commenter or str(uuid.uuid4().int % 10**16), "name": "Anna Nowak"},
        "post": {"status_type": "mobile_status_update", "is_published": True, "id": post_id},
        "message": text, "post_id": post_id, "comment_id": comment_id, "created_time": int(time.time()),
        "item": "comment", "parent_id": parent or post_id, "verb": "add"}}


def feed(*changes: dict[str, Any]) -> bytes:
    return json.dumps({"object": "page", "entry": [{"id": PAGE_ID, "time": int(time.time()),
                                                     "changes": list(changes)}]}).encode()


async def graph_calls(stack: Stack, comment_id: str) -> list[dict[str, Any]]:
    """What reached the fake Graph API for one comment: private replies and public replies."""
    async with aiohttp.ClientSession() as http, http.get(f"{stack.graph_url}/_received", params={"all": "1"}) as r:
        records = await r.json()
    return [r for r in records if "failed" not in r and (
        r["path"] == f"/{GRAPH_VERSION}/{comment_id}/comments"
        or (r["body"] or {}).get("recipient", {}).get("comment_id") == comment_id)]


async def wait_calls(stack: Stack, comment_id: str, count: int, timeout: float = 45) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        calls = await graph_calls(stack, comment_id)
        if len(calls) >= count:
            return calls
        await asyncio.sleep(0.2)
    raise AssertionError(f"{len(await graph_calls(stack, comment_id))} calls for comment {comment_id}, "
                         f"expected {count}")


def public(call: dict[str, Any]) -> str | None:
    return call["body"]["message"] if call["path"].endswith("/comments") else None


async def test_a_question_in_a_comment_is_answered_privately_and_pointed_to_publicly(stack: Stack) -> None:
    change = new_comment("Jak zwrócić produkt?")
    comment_id = change["value"]["comment_id"]
    status, body = await post(stack, feed(change))
    assert (status, body["new"]) == (200, 1)
    assert (await post(stack, feed(change)))[1]["new"] == 0  # Meta's retry of the same comment
    private, note = await wait_calls(stack, comment_id, 2)
    assert private["path"] == f"/{GRAPH_VERSION}/me/messages"
    assert private["body"]["recipient"] == {"comment_id": comment_id}
    assert private["body"]["message"]["text"] == faq_answer("return_howto", "pl_ty")
    assert public(note) == "Odpowiedzieliśmy w wiadomości prywatnej 📩"
    assert note["path"] == f"/{GRAPH_VERSION}/{comment_id}/comments"
    # the same comment twice is handled once: a third call would have had the time to arrive by now,
    # as a later comment's two replies have
    later = new_comment("ile kosztuje dostawa")
    await post(stack, feed(later))
    await wait_calls(stack, later["value"]["comment_id"], 2)
    assert len(await graph_calls(stack, comment_id)) == 2


async def test_a_reply_to_a_comment_joins_the_comments_conversation(stack: Stack) -> None:
    top = new_comment("Jak zwrócić produkt?")
    top_id, post_id = top["value"]["comment_id"], top["value"]["post_id"]
    await post(stack, feed(top))
    await wait_calls(stack, top_id, 2)
    reply = new_comment("a ile kosztuje dostawa?", parent=top_id)  # Meta's reply to a comment: parent_id
    reply["value"].update(post_id=post_id, post={**reply["value"]["post"], "id": post_id})
    reply_id = reply["value"]["comment_id"]
    status, body = await post(stack, feed(reply))
    assert (status, body["new"]) == (200, 1)
    [private] = await wait_calls(stack, reply_id, 1)  # the reply's own one private reply
    assert private["body"]["recipient"] == {"comment_id": reply_id} and private["body"]["message"]["text"]
    calls = await wait_calls(stack, top_id, 3)  # the thread's pointer goes under the top-level comment
    assert public(calls[-1]) == "Odpowiedzieliśmy w wiadomości prywatnej 📩"
    assert await stored_texts(stack, "comment:" + top_id) == ["Jak zwrócić produkt?", "a ile kosztuje dostawa?"]


async def test_likes_edits_and_our_own_comments_are_acknowledged_and_skipped(stack: Stack) -> None:
    own = new_comment("Dziękujemy!", commenter=PAGE_ID)
    liked = {**new_comment("x"), "value": {**new_comment("x")["value"], "item": "like"}}
    edited = {**new_comment("x"), "value": {**new_comment("x")["value"], "verb": "edited"}}
    status, body = await post(stack, feed(own, liked, edited, {"field": "feed", "value": "garbage"}))
    assert (status, body["events"], body["new"]) == (200, 0, 0)


async def test_an_angry_comment_is_a_public_ticket_first_in_the_queue(stack: Stack, moderator: Moderator) -> None:
    private_customer = f"rest-{uuid.uuid4().hex[:12]}"  # an older, private ticket with a real exchange
    async with aiohttp.ClientSession() as http:
        url = f"{stack.handoff_url}/internal/tickets"
        headers = {"Authorization": f"Bearer {stack.service_token}"}
        request = {"conversation_id": private_customer, "reasons": ["legal_threat"], "exchanges": 3}
        async with http.post(url, headers=headers, json=request) as r:
            assert r.status == 201
            older = (await r.json())["ticket"]
    change = new_comment(ANGRY)
    comment_id = change["value"]["comment_id"]
    conversation = "comment:" + comment_id
    await post(stack, feed(change))
    [told] = await wait_calls(stack, comment_id, 1)
    assert public(told) == "Dziękujemy za komentarz. Ktoś z naszego zespołu wkrótce tu odpowie."
    ticket = await ticket_of(stack, conversation)
    status, queue = await moderator.call("GET", "/api/queue")
    ids = [t["id"] for t in queue["tickets"] if t["state"] == "queued"]
    assert ids.index(ticket) < ids.index(older)
    shown = next(t for t in queue["tickets"] if t["id"] == ticket)
    assert (shown["public"], shown["channel"]) == (True, "comment")
    status, detail = await moderator.call("GET", f"/api/tickets/{ticket}")
    assert detail["comment"]["comment_id"] == comment_id and detail["comment"]["text"] == ANGRY
    assert detail["comment"]["private_reply_used"] is False
    assert (await moderator.call("POST", f"/api/tickets/{ticket}/claim"))[0] == 200

    reply = f"/api/tickets/{ticket}/reply"
    assert (await moderator.call("POST", reply, {"text": "Bardzo przepraszamy."}))[0] == 200
    assert (await moderator.call("POST", reply, {"text": "Podaj numer zamówienia.", "visibility": "private"}))[0] == 200
    calls = await wait_calls(stack, comment_id, 3)
    assert public(calls[1]) == "Bardzo przepraszamy.\n— Ewa"  # signed, under the comment
    assert calls[2]["body"]["recipient"] == {"comment_id": comment_id}
    assert calls[2]["body"]["message"]["text"] == "Podaj numer zamówienia.\n— Ewa"
    # no "Ewa joined" and no queue position in the public thread
    assert [c for c in calls if public(c) and "Ewa" in public(c)] == [calls[1]]

    status, detail = await moderator.call("GET", f"/api/tickets/{ticket}")
    assert detail["comment"]["private_reply_used"] is True
    status, error = await moderator.call("POST", reply, {"text": "Jeszcze raz?", "visibility": "private"})
    assert status == 409 and "used already" in error["error"]
    await moderator.call("POST", f"/api/tickets/{older}/claim")  # leave the queue as it was found
    await moderator.call("POST", f"/api/tickets/{older}/resolve")
    await moderator.call("POST", f"/api/tickets/{ticket}/resolve")
