"""Log lines written while the action server runs an action carry the conversation id
(``bot.core.logs``): the ``sender_id`` of rasa-sdk's ``POST /webhook`` call, the ``sender`` of
``POST /prefetch``.

A Sanic request middleware runs in the request's own task before the handler, so the id set
here is seen by the action and by everything it awaits, and by no other request.
"""

from __future__ import annotations

from typing import Any

from sanic import Sanic
from sanic.request import Request

from bot.core import logs

SENDER_FIELDS = {"/webhook": "sender_id", "/prefetch": "sender"}  # route -> the body's field


def sender_of(request: Request, field: str) -> str | None:
    try:
        body = request.json
    except Exception:  # a malformed body: rasa-sdk's handler answers it; no id to log
        return None
    sender = body.get(field) if isinstance(body, dict) else None
    return sender if isinstance(sender, str) else None


def add_conversation_ids(app: Sanic[Any, Any]) -> None:
    async def conversation(request: Request) -> None:
        field = SENDER_FIELDS.get(request.path)
        if field is not None and request.method == "POST":
            logs.set_conversation(sender_of(request, field))

    app.register_middleware(conversation, "request")
