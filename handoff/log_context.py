"""Log lines of a ticket's or a conversation's request carry its conversation id (``bot.core.logs``).

The id comes from the route (``{conversation_id}``), from the ticket a ``{ticket_id}`` route names
(one ``HGET``), or from the body of ``POST /internal/tickets`` (the action server opening a
ticket). It is set for the request's own task only: aiohttp runs each request in a task of its
own, so no other request and no background loop sees it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.core import keys, logs
from bot.core.text import as_str
from handoff.appkeys import REDIS

OPEN_TICKET = "/internal/tickets"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def conversation_of(request: web.Request) -> str | None:
    if "conversation_id" in request.match_info:
        return request.match_info["conversation_id"]
    if "ticket_id" in request.match_info:
        raw = await request.app[REDIS].hget(keys.ticket(request.match_info["ticket_id"]), "conversation_id")
        return as_str(raw) if raw else None
    if request.method == "POST" and request.path == OPEN_TICKET and request.content_type == "application/json":
        try:
            body = await request.json()  # read once; the handler gets the same bytes again
        except ValueError:
            return None
        found = body.get("conversation_id") if isinstance(body, dict) else None
        return found if isinstance(found, str) else None
    return None


@web.middleware
async def conversation_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """After authentication (inner to it), so no one unsigned makes it read Redis or a body."""
    logs.set_conversation(await conversation_of(request))
    return await handler(request)
