"""Crisis mode over HTTP: the open crises (every console page's banner), a crisis's group of tickets
(its page), and, for admins, publishing one statement to the whole group and closing the crisis."""

from __future__ import annotations

import logging
import re
from dataclasses import asdict
from typing import Annotated

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from handoff.appkeys import REDIS, SETTINGS, TICKETS, session_of
from handoff.console import HEADERS, STATIC
from handoff.contract import Body, contract, json_object
from handoff.crisis import MAX_STATEMENT_CHARS, clean_statement
from handoff.crisis_notify import notify_opened
from handoff.crisis_store import Crises, Crisis
from handoff.errors import BadRequest, NotFound
from handoff.models import Ticket
from handoff.schemas import TicketOut
from handoff.web_auth import require_admin

logger = logging.getLogger(__name__)
CRISIS_ID_PATTERN = r"C[0-9]{1,18}"
MAX_GROUP_SHOWN = 500  # tickets listed on a crisis's page
# any segment reaches the admin routes, which check the role first: the document states the real form
PATH = {"crisis_id": Annotated[str, Field(pattern=f"^{CRISIS_ID_PATTERN}$")]}
Statement = Annotated[str, Field(min_length=1, max_length=MAX_STATEMENT_CHARS)]


class StatementBody(Body):
    """Described here; checked by ``handoff.crisis.clean_statement``: one text per language, at least one."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1})
    pl: Statement | None = None
    en: Statement | None = None


class CrisesOut(BaseModel):
    crises: list[Crisis]


class CrisisOut(BaseModel):
    crisis: Crisis


class GroupOut(CrisisOut):
    tickets: list[TicketOut]


class PublishedOut(CrisisOut):
    model_config = ConfigDict(extra="allow")  # and the counts of conversations told, by outcome


def crises(app: web.Application) -> Crises:
    return Crises(app[REDIS], app[SETTINGS].crisis)


async def note_new_ticket(app: web.Application, ticket: Ticket) -> None:
    """Count a ticket just made; tell the people on call if it opened a crisis (in the background).
    The ticket is made already: a failure here is logged and never fails the handoff."""
    try:
        opened = await crises(app).note_ticket(ticket)
    except Exception:
        logger.exception("crisis counting failed for %s; the handoff stands", ticket.id)
        return
    if opened is not None:
        notify_opened(app, opened)


@contract("Open crises: topic, tickets, since when (the console's banner)", reply=CrisesOut)
async def open_crises(request: web.Request) -> web.Response:
    return web.json_response({"crises": [asdict(c) for c in await crises(request.app).open_ones()]})


@contract("A crisis and its group of tickets", reply=GroupOut)
async def one_crisis(request: web.Request) -> web.Response:
    store = crises(request.app)
    crisis = await store.get(request.match_info["crisis_id"])
    tickets = []
    for ticket_id in (await store.ticket_ids(crisis.id))[:MAX_GROUP_SHOWN]:
        try:
            tickets.append((await request.app[TICKETS].get(ticket_id)).public())
        except NotFound:
            continue  # erased since it joined
    return web.json_response({"crisis": asdict(crisis), "tickets": tickets})


def _admin_crisis_id(request: web.Request) -> str:
    """The crisis id of an admin route, checked after the role (a moderator gets 403 whatever
    the address) and before any key is built from it."""
    require_admin(request)
    crisis_id = request.match_info["crisis_id"]
    if not re.fullmatch(CRISIS_ID_PATTERN, crisis_id):
        raise NotFound(f"no crisis {crisis_id[:40]!r}")
    return crisis_id


@contract("Close an open crisis (admin)", reply=CrisisOut, path=PATH)
async def close_crisis(request: web.Request) -> web.Response:
    crisis_id = _admin_crisis_id(request)
    crisis = await crises(request.app).close(crisis_id, session_of(request).account.login)
    return web.json_response({"crisis": asdict(crisis)})


@contract("Send one statement to every open conversation of the crisis, each once (admin)", body=StatementBody,
          reply=PublishedOut, path=PATH)
async def publish_statement(request: web.Request) -> web.Response:
    crisis_id, store = _admin_crisis_id(request), crises(request.app)
    await store.get(crisis_id)  # 404 before the body's 400
    try:
        texts = clean_statement(await json_object(request))
    except ValueError as e:
        raise BadRequest(str(e)) from None
    counts = await store.publish(crisis_id, texts, session_of(request).account.login)
    return web.json_response({"crisis": asdict(await store.get(crisis_id)), **counts})


@contract("A crisis's page", media="text/html", errors=())
async def crisis_page(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC / "crisis.html", headers=HEADERS)


def setup_routes(app: web.Application) -> None:
    r = app.router
    r.add_get("/api/crises", open_crises)
    r.add_get(f"/api/crises/{{crisis_id:{CRISIS_ID_PATTERN}}}", one_crisis)
    r.add_post("/api/admin/crises/{crisis_id}/close", close_crisis)  # the id is checked after the role
    r.add_post("/api/admin/crises/{crisis_id}/statement", publish_statement)
    r.add_get(f"/crises/{{crisis_id:{CRISIS_ID_PATTERN}}}", crisis_page)

