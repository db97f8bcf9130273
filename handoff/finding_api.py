"""The console's search, reopening and shift handover routes (``handoff.search``, ``handoff.reopen``,
``handoff.handover``); every route behind a signed-in session, like ``handoff.api``."""

from __future__ import annotations

from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from handoff import clock
from handoff.appkeys import REDIS, SETTINGS, TICKETS, session_of
from handoff.assigner import request_assign
from handoff.contract import contract, query_of
from handoff.errors import BadRequest
from handoff.handover import handover
from handoff.models import MAX_TAG_CHARS, TICKET_ID_PATTERN
from handoff.notify import request_notify
from handoff.reopen import Reopening
from handoff.schemas import TicketOut
from handoff.search import (
    CHANNELS,
    MAX_LIMIT,
    MAX_LOGIN_CHARS,
    MAX_QUERY_CHARS,
    MAX_TEAM_CHARS,
    TicketSearch,
    parse_filters,
)


class SearchQuery(BaseModel):
    """The filters' forms; ``handoff.search.parse_filters`` then reads times, the cursor and their order."""

    model_config = ConfigDict(extra="forbid")
    q: str = Field("", max_length=MAX_QUERY_CHARS, description="ticket or conversation id, name, tags, notes")
    channel: Literal[CHANNELS] | Literal[""] = ""  # type: ignore[valid-type]
    owner: str = Field("", max_length=MAX_LOGIN_CHARS)
    tag: str = Field("", max_length=MAX_TAG_CHARS)
    state: Literal["queued", "assigned", "resolved", ""] = ""
    team: str = Field("", max_length=MAX_TEAM_CHARS)
    from_: str = Field("", alias="from", description="created at or after: epoch seconds or ISO 8601 (UTC unless "
                       "zoned)")
    to: str = Field("", description="created at or before; a bare date means its whole day")
    sort: Literal["newest", "oldest", ""] = "newest"
    limit: int | None = Field(None, ge=1, le=MAX_LIMIT, description="tickets a page, default 25")
    cursor: str = Field("", description="next_cursor of the previous page")


class SearchOut(BaseModel):
    tickets: list[TicketOut]
    next_cursor: str | None  # None: nothing more to read
    scanned: int


class HandoverOut(BaseModel):
    now: float
    shift_hours: int
    owners: list[Any]
    due: list[Any]
    notes: list[Any]


def reopening(app: web.Application) -> Reopening:
    settings = app[SETTINGS]
    return Reopening(app[REDIS], settings.ticket_caps, settings.reopen_minutes * 60)


@contract("Find tickets (newest or oldest first, a bounded scan of the ticket index; next_cursor goes on)",
          query=SearchQuery, reply=SearchOut)
async def search(request: web.Request) -> web.Response:
    query_of(request, SearchQuery)
    try:
        filters = parse_filters(request.query)
    except ValueError as e:
        raise BadRequest(str(e)) from None
    page = await TicketSearch(request.app[REDIS]).search(filters)
    return web.json_response({"tickets": [t.public() for t in page.tickets], "next_cursor": page.next_cursor,
                              "scanned": page.scanned})


@contract("Reopen a resolved ticket (409 if open, or its conversation has another open ticket)", reply=TicketOut)
async def reopen(request: web.Request) -> web.Response:
    """A moderator reopens a resolved ticket: 409 if it is open or its conversation has another open one."""
    login = session_of(request).account.login
    ticket = await reopening(request.app).reopen(request.match_info["ticket_id"], login, notify=True, capped=False)
    await request_notify(request.app)
    await request_assign(request.app)  # queued again: a team member may take it (handoff.assigner)
    return web.json_response(ticket.public())


@contract("The shift handover: open tickets by owner, promised times due in the next shift, important notes",
          reply=HandoverOut)
async def handover_view(request: web.Request) -> web.Response:
    app = request.app
    return web.json_response(await handover(app[TICKETS], app[REDIS], clock.now(), app[SETTINGS].shift_hours))


def setup_routes(app: web.Application) -> None:
    r = app.router
    r.add_get("/api/tickets/search", search)
    r.add_post(f"/api/tickets/{{ticket_id:{TICKET_ID_PATTERN}}}/reopen", reopen)
    r.add_get("/api/handover", handover_view)
