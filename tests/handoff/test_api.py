"""The console's API and sign-in through the real app and Redis (workers off: no Rasa here)."""

import asyncio
import json
import time
from typing import Any

import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient

from bot.core import keys
from tests.handoff.conftest import SERVICE_TOKEN, Factory, sign_in

SERVICE = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
WEB_1, WEB_2 = "web:00000000-0000-4000-8000-000000000001", "web:00000000-0000-4000-8000-000000000002"


async def open_ticket(client: TestClient, conversation: str = WEB_1, reasons: list[str] | None = None) -> str:
    response = await client.post("/internal/tickets", headers=SERVICE, json={
        "conversation_id": conversation, "lang": "pl", "reasons": reasons or ["negative_sentiment"],
        "evidence": [{"faq_id": "return_howto", "score": 0.61}], "customer_name": "Marek Nowak", "exchanges": 1})
    assert response.status == 201, await response.text()
    body: dict[str, Any] = await response.json()
    return str(body["ticket"])


async def test_internal_api_needs_the_service_token(app_client: TestClient) -> None:
    response = await app_client.post("/internal/tickets", json={"conversation_id": WEB_1})
    assert response.status == 401
    response = await app_client.post("/internal/tickets", json={"conversation_id": WEB_1},
                                     headers={"Authorization": "Bearer wrong"})
    assert response.status == 401


async def test_ticket_is_queued_and_the_customer_told_their_place(app_client: TestClient) -> None:
    first = await app_client.post("/internal/tickets", headers=SERVICE, json={"conversation_id": WEB_1,
                                                                              "reasons": ["human_request"]})
    body = await first.json()
    assert body["created"] and body["handoff"]["state"] == "queued" and body["handoff"]["position"] == 1
    angry = await (await app_client.post("/internal/tickets", headers=SERVICE, json={
        "conversation_id": WEB_2, "reasons": ["legal_threat"], "exchanges": 1})).json()
    assert angry["handoff"]["position"] == 1  # a legal threat (after a real exchange) goes before a plain request
    again = await app_client.post("/internal/tickets", headers=SERVICE, json={"conversation_id": WEB_1})
    assert again.status == 200 and (await again.json())["ticket"] == body["ticket"]
    owner = await (await app_client.get(f"/internal/conversations/{WEB_1}", headers=SERVICE)).json()
    assert owner == {"owner": "queue", "ticket": body["ticket"]}


@pytest.mark.parametrize("body", [{"conversation_id": ""}, {"conversation_id": WEB_1, "lang": "de"},
                                  {"conversation_id": WEB_1, "reasons": "angry"}, {"conversation_id": 7}])
async def test_bad_ticket_requests_are_400_and_change_nothing(app_client: TestClient, body: dict[str, Any]) -> None:
    response = await app_client.post("/internal/tickets", headers=SERVICE, json=body)
    assert response.status == 400 and "error" in await response.json()
    anna = await sign_in(None, app_client, "anna")  # type: ignore[arg-type]
    assert (await anna.call("GET", "/api/queue"))[1]["tickets"] == []


async def test_console_needs_a_session(app_client: TestClient) -> None:
    assert (await app_client.get("/api/queue")).status == 401
    page = await app_client.get("/", allow_redirects=False)
    assert page.status == 302 and page.headers["Location"] == "/login"
    wrong = await app_client.post("/login", data={"login": "anna", "password": "nope"}, allow_redirects=False)
    assert wrong.headers["Location"] == "/login?error=1"
    assert (await app_client.get("/metrics")).status == 401
    assert (await app_client.get("/metrics", headers=SERVICE)).status == 200


async def test_session_cookie_is_httponly_and_strict(app_client: TestClient) -> None:
    response = await app_client.post("/login", data={"login": "anna", "password": "correct horse battery"},
                                     allow_redirects=False)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie


async def test_claim_reply_and_conflicts(aiohttp_client: Factory, app_client: TestClient) -> None:
    ticket = await open_ticket(app_client)
    anna = await sign_in(aiohttp_client, app_client, "anna")
    piotr = await sign_in(aiohttp_client, app_client, "piotr")
    assert (await anna.call("POST", f"/api/tickets/{ticket}/claim"))[0] == 200
    status, body = await piotr.call("POST", f"/api/tickets/{ticket}/claim")
    assert status == 409 and "already claimed by Anna" in body["error"]
    status, body = await piotr.call("POST", f"/api/tickets/{ticket}/reply", {"text": "Dzień dobry"})
    assert status == 403 and "belongs to Anna" in body["error"]
    status, body = await anna.call("POST", f"/api/tickets/{ticket}/reply", {"text": "Dzień dobry, już sprawdzam."})
    assert status == 200 and body["first_response_at"]
    assert (await anna.call("POST", f"/api/tickets/{ticket}/resolve"))[0] == 200
    status, body = await anna.call("POST", f"/api/tickets/{ticket}/reply", {"text": "halo"})
    assert status == 409 and "resolved" in body["error"]


async def test_bad_requests_change_nothing(aiohttp_client: Factory, app_client: TestClient) -> None:
    ticket = await open_ticket(app_client)
    anna = await sign_in(aiohttp_client, app_client, "anna")
    await anna.call("POST", f"/api/tickets/{ticket}/claim")
    no_csrf = await app_client.post(f"/api/tickets/{ticket}/reply", json={"text": "hej"})
    assert no_csrf.status == 403 and "CSRF" in (await no_csrf.json())["error"]
    assert (await anna.call("POST", f"/api/tickets/{ticket}/reply", {"text": "x" * 4001}))[0] == 400
    assert (await anna.call("POST", f"/api/tickets/{ticket}/reply", {"text": "   "}))[0] == 400
    assert (await anna.call("POST", "/api/tickets/T999999/claim"))[0] == 404
    for other_key in (f"{ticket}:notes", f"{ticket}%3Anotes", "Tx", "T" + "1" * 19):  # never another Redis key
        assert (await anna.client.get(f"/api/tickets/{other_key}")).status == 404
        notes = await anna.client.post(f"/api/tickets/{other_key}/notes", json={"text": "hej"},
                                       headers={"X-CSRF-Token": anna.csrf})
        assert notes.status == 404
    assert (await anna.call("PUT", f"/api/tickets/{ticket}/tags", {"tags": "vip"}))[0] == 400
    status, detail = await anna.call("GET", f"/api/tickets/{ticket}")
    assert status == 200 and detail["ticket"]["first_response_at"] is None and detail["ticket"]["tags"] == []


async def test_ticket_detail_has_history_notes_and_greeting(aiohttp_client: Factory, app_client: TestClient) -> None:
    ticket = await open_ticket(app_client)
    anna = await sign_in(aiohttp_client, app_client, "anna")
    await anna.call("POST", f"/api/tickets/{ticket}/claim")
    assert (await anna.call("POST", f"/api/tickets/{ticket}/notes", {"text": "VIP"}))[0] == 201
    status, detail = await anna.call("GET", f"/api/tickets/{ticket}")
    assert status == 200
    assert detail["ticket"]["reasons"] == ["negative_sentiment"] and detail["ticket"]["customer_name"] == "Marek Nowak"
    assert detail["greeting"] == "Cześć Marku,"
    assert [n["text"] for n in detail["notes"]] == ["VIP"]
    assert [h["action"] for h in detail["history"]] == ["created", "claimed", "note"]
    assert detail["suggestions"] == [] and detail["transcript"] == []  # no action server, no conversation here


async def test_transfer_and_admin_powers(aiohttp_client: Factory, app_client: TestClient) -> None:
    ticket = await open_ticket(app_client)
    anna = await sign_in(aiohttp_client, app_client, "anna")
    ola = await sign_in(aiohttp_client, app_client, "ola")
    await anna.call("POST", f"/api/tickets/{ticket}/claim")
    status, body = await anna.call("POST", f"/api/tickets/{ticket}/transfer", {"to": "piotr"})
    assert status == 200 and body["owner"] == "piotr"
    assert (await anna.call("POST", f"/api/tickets/{ticket}/transfer", {"to": "nobody"}))[0] == 400
    assert (await ola.call("POST", f"/api/tickets/{ticket}/handback"))[0] == 200  # an admin may close any


async def test_metrics_and_openapi(aiohttp_client: Factory, app_client: TestClient) -> None:
    await open_ticket(app_client)
    anna = await sign_in(aiohttp_client, app_client, "anna")
    text = await (await anna.client.get("/metrics")).text()
    assert "volta_handoff_queue_length 1" in text and "# TYPE volta_handoff_tickets_created_total counter" in text
    status, document = await anna.call("GET", "/api/openapi.json")
    assert status == 200 and document["openapi"].startswith("3.")
    assert "/api/tickets/{ticket_id}/claim" in document["paths"]


async def test_waiting_customers_are_told_when_the_queue_moves(aiohttp_client: Factory, app_client: TestClient,
                                                               redis_url: str) -> None:
    first = await open_ticket(app_client, WEB_1, ["human_request"])
    await open_ticket(app_client, WEB_2, ["human_request"])
    anna = await sign_in(aiohttp_client, app_client, "anna")
    await anna.call("POST", f"/api/tickets/{first}/claim")
    client = aioredis.from_url(redis_url, decode_responses=True)
    updates: list[Any] = []
    deadline = time.monotonic() + 10
    while not updates and time.monotonic() < deadline:  # the notifier tells them just after the claim
        entries = [fields for _, fields in await client.xrange(keys.OUTBOX)]
        updates = [(e["conversation_id"], json.loads(e["payload"])["handoff"]) for e in entries if e["kind"] == "queue"]
        await asyncio.sleep(0.02)
    await client.aclose()
    assert updates and updates[-1][0] == WEB_2 and updates[-1][1]["position"] == 1
    assert updates[-1][1]["state"] == "queued" and updates[-1][1]["expected_wait_minutes"] >= 5


async def test_an_expired_session_is_refused(aiohttp_client: Factory, app_client: TestClient, redis_url: str) -> None:
    anna = await sign_in(aiohttp_client, app_client, "anna")
    assert (await anna.call("GET", "/api/queue"))[0] == 200
    client = aioredis.from_url(redis_url, decode_responses=True)
    for key in await client.keys(keys.session("*")):  # what the 12-hour expiry does
        await client.delete(key)
    await client.aclose()
    status, body = await anna.call("GET", "/api/queue")
    assert status == 401 and body == {"error": "sign in first"}
