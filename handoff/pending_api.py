"""The console's pending routes: promise the customer a time, resume, and the prefilled promise.

- ``POST /api/tickets/{id}/pending`` ``{"pending_until": <Unix seconds>, "message"?: str}``: the
  owner marks the ticket pending; the customer gets the message (default: the prefilled one).
- ``POST /api/tickets/{id}/resume``: the owner takes it up again (a reply does the same).
- ``GET /api/tickets/{id}/pending/message?pending_until=...``: the prefilled message, in the
  customer's language and the brand's register, the time in ``HANDOFF_TIMEZONE``.
"""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, Field

from handoff import clock
from handoff.api import _text_field
from handoff.appkeys import REDIS, SETTINGS, TICKETS, session_of
from handoff.contract import Body, contract, json_object
from handoff.errors import BadRequest
from handoff.models import MAX_TEXT_CHARS, TICKET_ID_PATTERN
from handoff.pending import FIELD, default_message, parse_until
from handoff.pending_store import PendingTickets
from handoff.reply_window import check_reply_window
from handoff.schemas import TicketOut

UNTIL = "Unix seconds; in the future, at most HANDOFF_MAX_PENDING_DAYS ahead"


class PendingBody(Body):
    """Described here; checked by ``handoff.pending.parse_until`` against the clock and the settings."""

    pending_until: float = Field(description=UNTIL)
    message: str | None = Field(None, min_length=1, max_length=MAX_TEXT_CHARS,
                                description="to the customer, signed; default: the prefilled promise")


class PreviewQuery(BaseModel):
    pending_until: float = Field(description=UNTIL)


class PreviewOut(BaseModel):
    message: str
    pending_until: float


def _until(app: web.Application, value: object, now: float) -> float:
    try:
        return parse_until(value, now, app[SETTINGS].pending.max_days)
    except ValueError as e:
        raise BadRequest(str(e)) from None


@contract("Pending: promise the customer to come back by a time (owner); due then, first in the owner's list",
          body=PendingBody, reply=TicketOut)
async def set_pending(request: web.Request) -> web.Response:
    account, data, now = session_of(request).account, await json_object(request), clock.now()
    until = _until(request.app, data.get(FIELD), now)
    ticket = await request.app[TICKETS].get(request.match_info["ticket_id"])
    await check_reply_window(request.app[REDIS], ticket)  # Messenger: 409 once Meta's window for people closed
    settings = request.app[SETTINGS]
    message = (_text_field(data, "message") if data.get("message") is not None else
               default_message(until, now, settings.opening_hours.zone, ticket.lang, settings.register))
    ticket = await PendingTickets(request.app[TICKETS]).set(ticket.id, account.login, account.display_name, until,
                                                            message, now)
    return web.json_response(ticket.public())


@contract("Take a pending ticket up again (owner)", reply=TicketOut)
async def resume(request: web.Request) -> web.Response:
    login = session_of(request).account.login
    ticket = await PendingTickets(request.app[TICKETS]).resume(request.match_info["ticket_id"], login)
    return web.json_response(ticket.public())


@contract("The prefilled promise in the customer's language, the time in HANDOFF_TIMEZONE", query=PreviewQuery,
          reply=PreviewOut)
async def preview(request: web.Request) -> web.Response:
    now, raw = clock.now(), request.query.get(FIELD, "")
    try:
        value: object = float(raw)
    except ValueError:
        raise BadRequest(f"{FIELD} must be a number (Unix time in seconds)") from None
    until = _until(request.app, value, now)
    ticket, settings = await request.app[TICKETS].get(request.match_info["ticket_id"]), request.app[SETTINGS]
    text = default_message(until, now, settings.opening_hours.zone, ticket.lang, settings.register)
    return web.json_response({"message": text, FIELD: until})


def setup_routes(app: web.Application) -> None:
    base = f"/api/tickets/{{ticket_id:{TICKET_ID_PATTERN}}}"
    app.router.add_post(f"{base}/pending", set_pending)
    app.router.add_post(f"{base}/resume", resume)
    app.router.add_get(f"{base}/pending/message", preview)

