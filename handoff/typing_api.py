"""``POST /api/tickets/{id}/typing``: the owner of a ticket is typing a reply (K5).

The console calls it while the moderator types (throttled in the page too). At most once every
``TYPING_EVERY_SECONDS`` per ticket it publishes ``{"conversation_id"}`` on ``keys.TYPING``,
where the Rasa servers show it to the customer (Messenger's typing indicator, the widget's
"typing" line). One Redis ``SET NX`` and, now and then, one ``PUBLISH``: cheap.
"""

from __future__ import annotations

import json

from aiohttp import web
from pydantic import BaseModel

from bot.core import keys
from handoff.appkeys import REDIS, TICKETS, session_of
from handoff.contract import contract
from handoff.errors import Conflict, Forbidden
from handoff.models import TICKET_ID_PATTERN, TicketState

TYPING_EVERY_SECONDS = 3  # Messenger shows typing_on for about 20 s; the widget for its own timeout


class TypingOut(BaseModel):
    published: bool  # False: told within the last TYPING_EVERY_SECONDS already


@contract("The owner is typing: shown to the customer (at most once every few seconds)", ok=202, reply=TypingOut)
async def typing(request: web.Request) -> web.Response:
    login = session_of(request).account.login
    ticket = await request.app[TICKETS].get(request.match_info["ticket_id"])
    if ticket.state != TicketState.ASSIGNED:
        raise Conflict(f"ticket {ticket.id} is {ticket.state.value}: only the owner of a claimed ticket types")
    if ticket.owner != login:
        raise Forbidden(f"ticket {ticket.id} belongs to {ticket.owner_name or ticket.owner}")
    redis = request.app[REDIS]
    published = bool(await redis.set(keys.typing_told(ticket.id), "1", nx=True, ex=TYPING_EVERY_SECONDS))
    if published:
        await redis.publish(keys.TYPING, json.dumps({"conversation_id": ticket.conversation_id}))
    return web.json_response({"published": published}, status=202)


def setup_routes(app: web.Application) -> None:
    app.router.add_post(f"/api/tickets/{{ticket_id:{TICKET_ID_PATTERN}}}/typing", typing)
