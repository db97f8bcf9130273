"""Log lines written while the action server runs an action carry the conversation id
(``bot.core.logs``): the ``sender_id`` of rasa-sdk's ``POST /webhook`` call, the ``sender`` of
``POST /prefetch``.

A Sanic request middleware runs before the handler, in the connection's task: keep-alive
requests of one connection run one after another in that task, so every request sets the id
(None where it has none) and no request's lines carry the one before's.
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
        logs.set_conversation(sender_of(request, field) if field is not None and request.method == "POST" else None)

    app.register_middleware(conversation, "request")
