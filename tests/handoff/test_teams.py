"""Teams, statuses, capacities and automatic assignment through the app, against a real Redis."""

import asyncio
import json
import time
import uuid
from typing import Any

from aiohttp.test_utils import TestClient

from bot.core import keys
from handoff import presence
from handoff.appkeys import REDIS, TICKETS
from handoff.assigner import assign_pass
from handoff.models import TicketState
from tests.handoff.conftest import SERVICE_TOKEN, Console, Factory, sign_in

SERVICE = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
DEADLINE_SECONDS = 10.0


async def new_ticket(client: TestClient, name: str, topic: str = "invoice") -> str:
    """A ticket whose likeliest topic is ``topic`` (``name`` only says which in the test)."""
    body = {"conversation_id": f"web:{uuid.uuid4()}", "reasons": ["human_request"], "exchanges": 1,
            "evidence": [{"faq_id": topic, "title": topic, "score": 0.9, "kind": "topic"}]}
    response = await client.post("/internal/tickets", json=body, headers=SERVICE)
    assert response.status == 201
    return str((await response.json())["ticket"])


async def wait_for_owner(client: TestClient, ticket_id: str, owner: str) -> Any:
    """Poll the ticket until the assigner gave it to ``owner`` (it runs in the app's background task)."""
    store, deadline = client.server.app[TICKETS], time.monotonic() + DEADLINE_SECONDS
    while (ticket := await store.get(ticket_id)).owner != owner:
        assert time.monotonic() < deadline, f"{ticket_id} not assigned to {owner}: {ticket}"
        await asyncio.sleep(0.05)
    return ticket


async def team(ola: Console, name: str, **fields: Any) -> None:
    status, body = await ola.call("PUT", f"/api/admin/teams/{name}", fields)
    assert status == 200, body


async def status_entries(client: TestClient) -> list[dict[str, str]]:
    return [f for _, f in await client.server.app[REDIS].xrange(keys.OUTBOX) if f["kind"] == "status"]


async def test_without_teams_tickets_wait_as_before(app_client: TestClient, aiohttp_client: Factory) -> None:
    await (await sign_in(aiohttp_client, app_client, "anna")).call("GET", "/api/status")
    ticket_id = await new_ticket(app_client, "web:plain")
    assert await assign_pass(app_client.server.app) == 0
    ticket = await app_client.server.app[TICKETS].get(ticket_id)
    assert (ticket.state, ticket.team) == (TicketState.QUEUED, "")


async def test_a_new_ticket_goes_to_its_teams_available_member(app_client: TestClient,
                                                                aiohttp_client: Factory) -> None:
    ola, anna = [await sign_in(aiohttp_client, app_client, login) for login in ("ola", "anna")]
    await team(ola, "general", members=["piotr"], fallback=True)
    await team(ola, "billing", members=["anna"], topics=["invoice"], channels=["messenger"])
    code, me = await anna.call("PUT", "/api/status", {"status": "available"})
    assert (code, me["status"], me["teams"]) == (200, "available", ["billing"])
    ticket_id = await new_ticket(app_client, "web:invoice")
    ticket = await wait_for_owner(app_client, ticket_id, "anna")
    assert (ticket.state, ticket.team) == (TicketState.ASSIGNED, "billing")
    history = await app_client.server.app[TICKETS].history(ticket_id)
    assert [h["action"] for h in history][-1] == "assigned automatically"
    assert await status_entries(app_client) == []  # nobody has said a word yet: the customer is not told
    status, _ = await anna.call("POST", f"/api/tickets/{ticket_id}/reply", {"text": "Dzień dobry"})
    assert status == 200
    told = await status_entries(app_client)
    assert len(told) == 1 and '"moderator": "Anna"' in told[0]["payload"]  # "Anna joined", with her reply
    _, loads = await anna.call("GET", "/api/team_loads")
    billing = next(t for t in loads["teams"] if t["name"] == "billing")
    assert billing["members"] == [{"login": "anna", "status": "available", "load": 1, "capacity": 5}]
    other = await new_ticket(app_client, "web:other", topic="returns")  # not billing's: the fallback team's
    assert (await app_client.server.app[TICKETS].get(other)).team == "general"


async def test_an_unanswered_ticket_goes_back_and_to_someone_else(app_client: TestClient,
                                                                   aiohttp_client: Factory) -> None:
    ola, anna = [await sign_in(aiohttp_client, app_client, login) for login in ("ola", "anna")]
    piotr = await sign_in(aiohttp_client, app_client, "piotr")
    await team(ola, "billing", members=["anna", "piotr"], topics=["invoice"])
    await piotr.call("PUT", "/api/status", {"status": "busy"})
    await anna.call("PUT", "/api/status", {"status": "available"})
    ticket_id = await new_ticket(app_client, "web:late")
    await wait_for_owner(app_client, ticket_id, "anna")
    await piotr.call("PUT", "/api/status", {"status": "available"})
    app = app_client.server.app
    eleven_minutes_ago = json.dumps({"login": "anna", "at": time.time() - 11 * 60})
    await app[REDIS].hset(keys.AUTO_ASSIGNED, ticket_id, eleven_minutes_ago)  # no first reply in 10 minutes
    await assign_pass(app)
    ticket = await app[TICKETS].get(ticket_id)
    assert (ticket.state, ticket.owner) == (TicketState.ASSIGNED, "piotr")
    actions = [h["action"] for h in await app[TICKETS].history(ticket_id)]
    assert actions[-2:] == ["taken back: no first reply in time", "assigned automatically"]


async def test_becoming_available_takes_the_waiting_ticket(app_client: TestClient, aiohttp_client: Factory) -> None:
    ola, anna = [await sign_in(aiohttp_client, app_client, login) for login in ("ola", "anna")]
    await team(ola, "billing", members=["anna"], topics=["invoice"])
    await anna.call("PUT", "/api/status", {"status": "busy"})
    ticket_id = await new_ticket(app_client, "web:wait")
    assert await assign_pass(app_client.server.app) == 0  # busy: it waits in billing's queue
    assert (await app_client.server.app[TICKETS].get(ticket_id)).state == TicketState.QUEUED
    await anna.call("PUT", "/api/status", {"status": "available"})
    await wait_for_owner(app_client, ticket_id, "anna")


async def test_capacity_zero_takes_no_automatic_tickets(app_client: TestClient, aiohttp_client: Factory) -> None:
    ola, anna = [await sign_in(aiohttp_client, app_client, login) for login in ("ola", "anna")]
    await team(ola, "billing", members=["anna"], topics=["invoice"])
    status, body = await ola.call("PUT", "/api/admin/moderators/anna/capacity", {"capacity": 0})
    assert (status, body) == (200, {"login": "anna", "capacity": 0})
    await anna.call("PUT", "/api/status", {"status": "available"})
    ticket_id = await new_ticket(app_client, "web:full")
    assert await assign_pass(app_client.server.app) == 0
    assert (await app_client.server.app[TICKETS].get(ticket_id)).state == TicketState.QUEUED
    status, _ = await anna.call("POST", f"/api/tickets/{ticket_id}/claim")  # a manual claim still works
    assert status == 200


async def test_bad_input_names_the_field_and_changes_nothing(app_client: TestClient,
                                                              aiohttp_client: Factory) -> None:
    ola, anna = [await sign_in(aiohttp_client, app_client, login) for login in ("ola", "anna")]
    await team(ola, "billing", members=["anna"], topics=["invoice"])
    before = await ola.call("GET", "/api/admin/teams")
    cases = [
        ("PUT", "/api/admin/teams/billing", {"members": ["nobody"]}, 400, "members"),
        ("PUT", "/api/admin/teams/billing", {"channels": ["fax"]}, 400, "channels"),
        ("PUT", "/api/admin/teams/billing", {"topics": "invoice"}, 400, "topics"),
        ("PUT", "/api/admin/teams/billing", {"fallback": "yes"}, 400, "fallback"),
        ("DELETE", "/api/admin/teams/nosuch", None, 404, "nosuch"),
        ("PUT", "/api/admin/moderators/anna/capacity", {"capacity": -1}, 400, "capacity"),
        ("PUT", "/api/admin/moderators/anna/capacity", {"capacity": "three"}, 400, "capacity"),
        ("PUT", "/api/admin/moderators/nobody/capacity", {"capacity": 1}, 404, "nobody"),
    ]
    for method, path, body, code, named in cases:
        status, answer = await ola.call(method, path, body)
        assert (status, named in answer["error"]) == (code, True), (path, body, answer)
    status, answer = await anna.call("PUT", "/api/status", {"status": "asleep"})
    assert status == 400 and "status" in answer["error"]
    status, _ = await anna.call("PUT", "/api/admin/teams/mine", {"members": ["anna"]})
    assert status == 403
    assert await ola.call("GET", "/api/admin/teams") == before
    assert await app_client.server.app[REDIS].hgetall(keys.CAPACITY) == {}


async def test_a_closed_console_goes_away(app_client: TestClient, aiohttp_client: Factory) -> None:
    anna = await sign_in(aiohttp_client, app_client, "anna")
    await anna.call("PUT", "/api/status", {"status": "available"})
    redis = app_client.server.app[REDIS]
    assert await presence.status(redis, "anna") == "available"
    assert await presence.status(redis, "anna", now=time.time() + 91) == "away"  # no ping for PRESENCE_SECONDS
    assert await presence.status(redis, "piotr") == "away"  # never signed in
