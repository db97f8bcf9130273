"""The shift handover: grouping and due times as plain functions, and GET /api/handover with an
important note (POST .../notes with important: true)."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from handoff.handover import by_owner, due_within, waited_seconds
from handoff.models import Ticket, TicketState
from tests.handoff.conftest import SERVICE_TOKEN, Factory, sign_in

SERVICE = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
HOUR = 3600.0


def ticket(number: int, **changes: Any) -> Ticket:
    values: dict[str, Any] = {"id": f"T{number:06d}", "conversation_id": f"messenger:{number}", "channel": "messenger",
                              "lang": "pl", "customer_name": "", "reasons": [], "evidence": [],
                              "state": TicketState.ASSIGNED, "created_at": 0.0}
    return Ticket(**{**values, **changes})


def test_open_tickets_by_owner_longest_waiting_first() -> None:
    now = 10 * HOUR
    tickets = [ticket(1, owner="anna", created_at=5 * HOUR), ticket(2, owner="anna", created_at=1 * HOUR),
               ticket(3, state=TicketState.QUEUED, created_at=9 * HOUR),
               ticket(4, owner="piotr", created_at=0.0, reopened_at=9.5 * HOUR)]
    groups = by_owner(tickets, now)
    assert [g["owner"] for g in groups] == ["", "anna", "piotr"]
    assert [t["id"] for t in groups[1]["tickets"]] == ["T000002", "T000001"]
    assert groups[1]["tickets"][0]["waited_seconds"] == 9 * HOUR
    assert waited_seconds(tickets[3], now) == HOUR / 2  # since it was reopened


def test_promised_times_due_within_the_shift_soonest_first() -> None:
    now = 100 * HOUR
    tickets = [ticket(1, pending_until=now + 7 * HOUR), ticket(2, pending_until=now + 9 * HOUR),
               ticket(3, pending_until=now - HOUR), ticket(4)]
    assert [t["id"] for t in due_within(tickets, now, 8)] == ["T000003", "T000001"]


async def test_handover_lists_important_notes_and_open_tickets(aiohttp_client: Factory, app_client: TestClient) -> None:
    response = await app_client.post("/internal/tickets", headers=SERVICE, json={
        "conversation_id": "messenger:77", "customer_name": "Ewa Kowalska"})
    ticket_id = (await response.json())["ticket"]
    anna = await sign_in(aiohttp_client, app_client, "anna")
    assert (await anna.call("POST", f"/api/tickets/{ticket_id}/claim"))[0] == 200
    status, note = await anna.call("POST", f"/api/tickets/{ticket_id}/notes",
                                   {"text": "Oddzwonić o 9", "important": True})
    assert status == 201 and note["important"] is True
    assert (await anna.call("POST", f"/api/tickets/{ticket_id}/notes", {"text": "zwykła"}))[0] == 201
    status, body = await anna.call("POST", f"/api/tickets/{ticket_id}/notes", {"text": "x", "important": "yes"})
    assert status == 400 and "important" in body["error"]
    status, view = await anna.call("GET", "/api/handover")
    assert status == 200 and view["shift_hours"] == 8
    assert [(n["ticket"], n["text"]) for n in view["notes"]] == [(ticket_id, "Oddzwonić o 9")]
    assert view["owners"][0]["owner"] == "anna" and view["owners"][0]["tickets"][0]["id"] == ticket_id
    assert view["due"] == []
    detail = (await anna.call("GET", f"/api/tickets/{ticket_id}"))[1]
    assert [n.get("important", False) for n in detail["notes"]] == [True, False]
    page = await app_client.get("/handover")
    assert page.status == 200 and "handover.js" in await page.text()
