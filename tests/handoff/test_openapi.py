"""The OpenAPI document is built from the live router: every route is in it, and the shared answer
models match what the code returns."""

from __future__ import annotations

from dataclasses import fields

from aiohttp.test_utils import TestClient

from handoff.app import create_app
from handoff.models import Ticket, TicketState
from handoff.openapi import STATIC_FILES, document
from handoff.schemas import TicketOut
from tests.handoff.conftest import Factory, sign_in
from tests.handoff.conftest import settings as app_settings


def test_every_route_of_the_router_is_documented_and_nothing_else() -> None:
    app = create_app(app_settings("redis://127.0.0.1:9/0"), workers=False)
    routed = {(r.method, r.resource.canonical) for r in app.router.routes() if r.resource and r.method != "HEAD"}
    documented = {(method.upper(), path) for path, item in document(app)["paths"].items() for method in item}
    assert routed - STATIC_FILES == documented, (routed - STATIC_FILES) ^ documented
    assert routed >= STATIC_FILES  # the exclusions name real routes
    assert ("POST", "/api/admin/jobs/{kind}") in documented and ("GET", "/api/openapi.json") in documented


def test_operations_state_their_parameters_and_schemas() -> None:
    app = create_app(app_settings("redis://127.0.0.1:9/0"), workers=False)
    paths = document(app)["paths"]
    [ticket_id] = paths["/api/tickets/{ticket_id}/reply"]["post"]["parameters"]
    assert ticket_id["schema"]["pattern"] == "^T[0-9]{1,18}$"  # the route's own regex
    reply = paths["/api/tickets/{ticket_id}/reply"]["post"]
    assert reply["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ReplyBody"}
    assert reply["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/TicketOut")
    assert paths["/internal/tickets"]["post"]["security"] == [{"service": []}]
    kind = paths["/api/admin/jobs/{kind}"]["post"]["parameters"][0]["schema"]
    assert kind["enum"] == ["mine", "publish"]


def test_the_ticket_answer_model_has_the_fields_the_api_sends() -> None:
    ticket = Ticket(id="T1", conversation_id="c1", channel="rest", lang="pl", customer_name="", reasons=[],
                    evidence=[], state=TicketState.QUEUED, created_at=1.0)
    assert set(TicketOut.model_fields) == set(ticket.public())
    TicketOut.model_validate(ticket.public())
    assert {f.name for f in fields(Ticket)} - {"client_key", "in_public"} <= set(TicketOut.model_fields)


async def test_the_document_is_served_and_built_once(aiohttp_client: Factory, app_client: TestClient) -> None:
    anna = await sign_in(aiohttp_client, app_client, "anna")
    status, first = await anna.call("GET", "/api/openapi.json")
    assert status == 200 and first["openapi"] == "3.1.0" and "/api/admin/erasure" in first["paths"]
    assert (await anna.call("GET", "/api/openapi.json"))[1] == first
