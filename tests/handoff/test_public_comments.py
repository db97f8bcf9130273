"""Public tickets (comments under the page's posts): first in the queue, and replies that go
publicly or as the comment's one private reply (handoff.comments, through the real app)."""

import json
from typing import Any

import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient

from bot.core import keys
from handoff.admission import TicketCaps, is_real, lane, queue_score
from handoff.notify import notify_pass
from tests.handoff.conftest import SERVICE_TOKEN, Factory, sign_in

SERVICE = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
COMMENT = "comment:444_555"


def test_a_comment_is_ranked_before_every_private_ticket_and_counts_as_real() -> None:
    now = 1_800_000_000.0
    week_old_private_threat = queue_score(now - 7 * 86400, ["legal_threat"], exchanges=5)
    assert queue_score(now, ["human_request"], 0, public=True) < week_old_private_threat
    assert queue_score(now, [], 0, public=True) < queue_score(now + 1, ["legal_threat"], 0, public=True)
    assert is_real(0, public=True) and not is_real(0)
    assert lane(0, joined_this_minute=999, caps=TicketCaps(new_per_minute=1), public=True).value == "queue"


async def open_ticket(client: TestClient, conversation: str, reasons: list[str], exchanges: int = 0) -> str:
    response = await client.post("/internal/tickets", headers=SERVICE, json={
        "conversation_id": conversation, "reasons": reasons, "exchanges": exchanges, "customer_name": "Anna Nowak"})
    assert response.status == 201, await response.text()
    return str((await response.json())["ticket"])


async def store_comment(redis_url: str, conversation: str, comment_id: str, text: str) -> None:
    client = aioredis.from_url(redis_url)
    user = {"event": "user", "text": text, "metadata": {"comment": {
        "comment_id": comment_id, "post_id": "1_444", "parent_id": "1_444"}}}
    await client.rpush(keys.TrackerKeys().events(conversation), json.dumps(user))
    await client.aclose()


async def test_a_public_ticket_is_first_in_the_queue_and_shown_as_public(
        aiohttp_client: Factory, app_client: TestClient, redis_url: str) -> None:
    older = await open_ticket(app_client, "rest-older", ["legal_threat"], exchanges=3)
    public = await open_ticket(app_client, COMMENT, ["anger"])
    later = await open_ticket(app_client, "comment:444_999", ["human_request"])
    await store_comment(redis_url, COMMENT, "444_555", "Oszuści!")
    anna = await sign_in(aiohttp_client, app_client, "anna")
    status, queue = await anna.call("GET", "/api/queue")
    assert status == 200
    assert [(t["id"], t["public"], t["channel"]) for t in queue["tickets"]] == [
        (public, True, "comment"), (later, True, "comment"), (older, False, "rest")]
    status, detail = await anna.call("GET", f"/api/tickets/{public}")
    assert detail["comment"] == {"comment_id": "444_555", "post_id": "1_444", "parent_id": "1_444",
                                 "text": "Oszuści!", "private_reply_used": False,
                                 "url": "https://www.facebook.com/1_444?comment_id=444_555"}
    assert (await anna.call("GET", f"/api/tickets/{older}"))[1]["comment"] is None


async def outbox_payloads(redis_url: str) -> list[dict[str, Any]]:
    client = aioredis.from_url(redis_url, decode_responses=True)
    entries = await client.xrange(keys.OUTBOX)
    await client.aclose()
    return [{"kind": f["kind"], "conversation": f["conversation_id"], **json.loads(f["payload"])} for _, f in entries]


async def test_a_reply_goes_publicly_by_default_or_privately_once(
        aiohttp_client: Factory, app_client: TestClient, redis_url: str) -> None:
    ticket = await open_ticket(app_client, COMMENT, ["anger"])
    await store_comment(redis_url, COMMENT, "444_555", "Oszuści!")
    anna = await sign_in(aiohttp_client, app_client, "anna")
    assert (await anna.call("POST", f"/api/tickets/{ticket}/claim"))[0] == 200
    path = f"/api/tickets/{ticket}/reply"
    assert (await anna.call("POST", path, {"text": "Przepraszamy."}))[0] == 200
    assert (await anna.call("POST", path, {"text": "Napiszę prywatnie.", "visibility": "private"}))[0] == 200
    status, error = await anna.call("POST", path, {"text": "x", "visibility": "secret"})
    assert status == 400 and "visibility" in error["error"]
    replies = [p for p in await outbox_payloads(redis_url) if p["kind"] == "reply"]
    assert [(p["text"], p["visibility"]) for p in replies] == [("Przepraszamy.", "public"),
                                                                ("Napiszę prywatnie.", "private")]
    # the Messenger channel marks the comment's one private reply as used when it sends it
    client = aioredis.from_url(redis_url)
    await client.set(keys.MessengerKeys().private_reply("444_555"), "1")
    await client.aclose()
    assert (await anna.call("GET", f"/api/tickets/{ticket}"))[1]["comment"]["private_reply_used"] is True
    status, error = await anna.call("POST", path, {"text": "Jeszcze raz.", "visibility": "private"})
    assert status == 409 and "used already" in error["error"]
    assert len([p for p in await outbox_payloads(redis_url) if p["kind"] == "reply"]) == 2  # nothing queued


@pytest.mark.parametrize("visibility", ["public", "private"])
async def test_a_private_conversation_takes_no_visibility(
        aiohttp_client: Factory, app_client: TestClient, visibility: str) -> None:
    ticket = await open_ticket(app_client, "messenger:123456", ["human_request"], exchanges=1)
    anna = await sign_in(aiohttp_client, app_client, "anna")
    await anna.call("POST", f"/api/tickets/{ticket}/claim")
    status, error = await anna.call("POST", f"/api/tickets/{ticket}/reply", {"text": "x", "visibility": visibility})
    assert status == 400 and error["error"].startswith("visibility")


async def test_no_queue_positions_are_written_for_a_comment(app_client: TestClient, redis_url: str) -> None:
    await open_ticket(app_client, "rest-a", ["human_request"], exchanges=1)
    await open_ticket(app_client, COMMENT, ["anger"])
    client = aioredis.from_url(redis_url, decode_responses=True)
    await client.delete(keys.TOLD)  # as if nobody was told yet
    await client.aclose()
    app = app_client.server.app
    assert app is not None
    assert await notify_pass(app, now=10**10) == 1  # the private ticket (now second) only
    queued = [p for p in await outbox_payloads(redis_url) if p["kind"] == "queue"]
    assert queued and {(p["conversation"], p["handoff"]["position"]) for p in queued} == {("rest-a", 2)}
