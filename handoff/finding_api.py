"""The console's search, reopening and shift handover routes (``handoff.search``, ``handoff.reopen``,
``handoff.handover``); every route behind a signed-in session, like ``handoff.api``."""

from __future__ import annotations

from aiohttp import web

from handoff import clock
from handoff.appkeys import REDIS, SETTINGS, TICKETS, session_of
from handoff.assigner import request_assign
from handoff.errors import BadRequest
from handoff.handover import handover
from handoff.models import TICKET_ID_PATTERN
from handoff.notify import request_notify
from handoff.reopen import Reopening
from handoff.search import TicketSearch, parse_filters


def reopening(app: web.Application) -> Reopening:
    settings = app[SETTINGS]
    return Reopening(app[REDIS], settings.ticket_caps, settings.reopen_minutes * 60)


async def search(request: web.Request) -> web.Response:
    try:
        filters = parse_filters(request.query)
    except ValueError as e:
        raise BadRequest(str(e)) from None
    page = await TicketSearch(request.app[REDIS]).search(filters)
    return web.json_response({"tickets": [t.public() for t in page.tickets], "next_cursor": page.next_cursor,
                              "scanned": page.scanned})


async def reopen(request: web.Request) -> web.Response:
    """A moderator reopens a resolved ticket: 409 if it is open or its conversation has another open one."""
    login = session_of(request).account.login
    ticket = await reopening(request.app).reopen(request.match_info["ticket_id"], login, notify=True, capped=False)
    await request_notify(request.app)
    await request_assign(request.app)  # queued again: a team member may take it (handoff.assigner)
    return web.json_response(ticket.public())


async def handover_view(request: web.Request) -> web.Response:
    app = request.app
    return web.json_response(await handover(app[TICKETS], app[REDIS], clock.now(), app[SETTINGS].shift_hours))


def setup_routes(app: web.Application) -> None:
    r = app.router
    r.add_get("/api/tickets/search", search)
    r.add_post(f"/api/tickets/{{ticket_id:{TICKET_ID_PATTERN}}}/reopen", reopen)
    r.add_get("/api/handover", handover_view)
