"""``/internal``: what the action server asks of the handoff service (service token only)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from aiohttp import web
from pydantic import BaseModel, BeforeValidator, Field

from bot.core import keys
from bot.core.conversation_ids import PATTERN, channel_of, check_conversation_id
from handoff.admission import MAX_CLIENT_IP_CHARS, MAX_EXCHANGES, parse_client_ip, parse_exchanges
from handoff.appkeys import REDIS, TICKETS
from handoff.assigner import request_assign
from handoff.contract import Auth, Body, body_of, contract
from handoff.crisis_api import note_new_ticket
from handoff.errors import BadRequest
from handoff.finding_api import reopening
from handoff.models import TicketState
from handoff.notify import queue_state, request_notify, told_form
from handoff.reopen import reopen_or_create

MAX_EVIDENCE = 8
MAX_NAME_CHARS = 80  # a name a channel gives (Messenger's profile); longer is refused, never cut here


def _checked_id(value: object) -> str:
    try:
        return check_conversation_id(value)
    except ValueError as e:
        raise ValueError(f"conversation_id: {e}") from None


def _name(value: object) -> str:
    name = value or ""  # a channel without names sends null or nothing
    if not isinstance(name, str) or len(name) > MAX_NAME_CHARS:
        raise ValueError(f"customer_name must be a string of at most {MAX_NAME_CHARS} characters")
    return name.strip()


# checked before any Redis key is built from it (a 400 naming the field)
ConversationId = Annotated[str, Field(pattern=f"^(?:{PATTERN})$", description="web:<uuid4>, messenger:<digits>, "
                                      "comment:<digits and _> or 1-64 of A-Z a-z 0-9 _ . -"),
                           BeforeValidator(_checked_id)]


class TicketRequest(Body):
    conversation_id: ConversationId
    lang: Literal["pl", "en"] = "pl"
    customer_name: Annotated[str, Field(max_length=MAX_NAME_CHARS), BeforeValidator(_name)] = ""
    reasons: Annotated[list[str], Field(max_length=20)] = Field(default_factory=list)
    evidence: list[dict[str, Any]] = Field(default_factory=list)
    client_ip: Annotated[str, Field(max_length=MAX_CLIENT_IP_CHARS, description="as the channel saw it; may be "
                                    "empty"), BeforeValidator(parse_client_ip)] = ""
    exchanges: Annotated[int, Field(ge=0, le=MAX_EXCHANGES, description="times the bot answered and the customer "
                                    "wrote again"), BeforeValidator(parse_exchanges)] = 0

    def fields(self) -> dict[str, Any]:
        return {**self.model_dump(), "channel": channel_of(self.conversation_id),
                "evidence": self.evidence[:MAX_EVIDENCE]}


class HandoffState(BaseModel):
    state: str  # human (a moderator has it) or queued, with the customer's place and wait (handoff.notify)


class OpenedOut(BaseModel):
    ticket: str
    created: bool
    reopened: bool
    handoff: HandoffState


class OwnerOut(BaseModel):
    owner: Literal["bot", "queue", "moderator"]
    ticket: str | None


def _conversation_id(value: object) -> str:
    """A conversation id from outside, before any Redis key is built from it (400 naming the field)."""
    try:
        return _checked_id(value)
    except ValueError as e:
        raise BadRequest(str(e)) from None


@contract("Hand a conversation to people (action server); 200 with the open ticket if there is one",
          auth=Auth.SERVICE, body=TicketRequest, ok=(201, 200), reply=OpenedOut, errors=(400, 401, 409, 429))
async def open_ticket(request: web.Request) -> web.Response:
    """Hand a conversation to people: a waiting ticket (or the open one) and what to tell the customer;
    429 when the client's address has its share of open tickets (``handoff.admission``)."""
    fields = (await body_of(request, TicketRequest)).fields()
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


@contract("Who owns a conversation: bot, queue or moderator", auth=Auth.SERVICE, reply=OwnerOut,
          path={"conversation_id": ConversationId}, errors=(400, 401))
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
