"""``/internal``: what the action server asks of the handoff service (service token only)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.core import keys
from bot.core.conversation_ids import channel_of, check_conversation_id
from handoff.admission import parse_client_ip, parse_exchanges
from handoff.api import _body
from handoff.appkeys import REDIS, TICKETS
from handoff.assigner import request_assign
from handoff.crisis_api import note_new_ticket
from handoff.errors import BadRequest
from handoff.finding_api import reopening
from handoff.models import TicketState
from handoff.notify import queue_state, request_notify, told_form
from handoff.reopen import reopen_or_create

MAX_EVIDENCE = 8
MAX_NAME_CHARS = 80  # a name a channel gives (Messenger's profile); longer is refused, never cut here


def _ticket_request(data: dict[str, Any]) -> dict[str, Any]:
    conversation_id, lang = data.get("conversation_id"), data.get("lang", "pl")
    reasons, evidence = data.get("reasons", []), data.get("evidence", [])
    name = data.get("customer_name") or ""
    conversation_id = _conversation_id(conversation_id)
    if lang not in ("pl", "en"):
        raise BadRequest("lang must be pl or en")
    if not isinstance(reasons, list) or not all(isinstance(r, str) for r in reasons) or len(reasons) > 20:
        raise BadRequest("reasons must be a list of strings")
    if not isinstance(evidence, list) or not all(isinstance(e, dict) for e in evidence):
        raise BadRequest("evidence must be a list of objects")
    if not isinstance(name, str) or len(name) > MAX_NAME_CHARS:
        raise BadRequest(f"customer_name must be a string of at most {MAX_NAME_CHARS} characters")
    try:
        client_ip, exchanges = parse_client_ip(data.get("client_ip")), parse_exchanges(data.get("exchanges"))
    except ValueError as e:
        raise BadRequest(str(e)) from None
    return {"conversation_id": conversation_id, "channel": channel_of(conversation_id), "lang": lang,
            "customer_name": name.strip(), "reasons": reasons, "evidence": evidence[:MAX_EVIDENCE],
            "client_ip": client_ip, "exchanges": exchanges}


def _conversation_id(value: object) -> str:
    """A conversation id from outside, before any Redis key is built from it (400 naming the field)."""
    try:
        return check_conversation_id(value)
    except ValueError as e:
        raise BadRequest(f"conversation_id: {e}") from None


async def open_ticket(request: web.Request) -> web.Response:
    """Hand a conversation to people: a waiting ticket (or the open one) and what to tell the customer;
    429 when the client's address has its share of open tickets (``handoff.admission``)."""
    fields = _ticket_request(await _body(request))
    store = request.app[TICKETS]
    # reopened when the conversation's ticket was resolved within HANDOFF_REOPEN_MINUTES (handoff.reopen)
    ticket, created, reopened = await reopen_or_create(store, reopening(request.app), fields)
    if ticket.state == TicketState.ASSIGNED:
        state: dict[str, Any] = {"state": "human", "moderator": ticket.owner_name}
    else:
        state = await queue_state(request.app, await store.position(ticket.id) or 1)
        await request.app[REDIS].hset(keys.TOLD, ticket.id, told_form(state))
    if created:
        await request_notify(request.app)  # a lifted ticket moves those behind it down
        await request_assign(request.app)  # a team member may take it now (handoff.assigner)
        await note_new_ticket(request.app, ticket)  # a wave of upset customers opens a crisis (handoff.crisis)
    return web.json_response({"ticket": ticket.id, "created": created, "reopened": reopened, "handoff": state},
                             status=201 if created else 200)


async def owner(request: web.Request) -> web.Response:
    """Who owns a conversation: the bot, the queue or a moderator."""
    conversation_id = _conversation_id(request.match_info["conversation_id"])
    ticket = await request.app[TICKETS].open_ticket_of(conversation_id)
    if ticket is None:
        return web.json_response({"owner": "bot", "ticket": None})
    kind = "queue" if ticket.state == TicketState.QUEUED else "moderator"
    return web.json_response({"owner": kind, "ticket": ticket.id})


def setup_routes(app: web.Application) -> None:
    app.router.add_post("/internal/tickets", open_ticket)
    app.router.add_get("/internal/conversations/{conversation_id}", owner)
