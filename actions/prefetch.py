"""``POST /prefetch``: start on a customer message before Rasa asks for an answer.

Rasa reads the tracker, classifies the intent and predicts the next action before it
calls ``action_answer``; the embedding of the message (most of the brain's time) does
not depend on any of that. The Rasa server posts each message here as it arrives
(``bot/rasa_side/patches.py``) and this route queues ``Brain.warm`` on the brain's thread at
once, so the embedding runs on the other core while Rasa works, and ``decide`` finds it
cached. The answer comes before the work is done: 202, or 400 for a body it cannot use.

    {"text": "ile kosztuje dostawa", "sender": "web:…", "client_ip": "203.0.113.7"}  ->  202 {"queued": true}

Under load the brain is shared fairly between clients (``actions/fair_queue.py``), and a prefetch
is skipped when work already waits: it would only add to the queue.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.bodies import text_body
from actions.brain_provider import BrainProvider, default_provider
from actions.fair_queue import client_for

logger = logging.getLogger(__name__)
MAX_SENDER_CHARS = 200


class InvalidPrefetchRequest(ValueError):
    """The body of a ``/prefetch`` request is not what the route accepts."""


def parse_request(body: bytes) -> tuple[str, str]:
    """(the text, whose turn it is in the brain's fair queue) from a JSON body, or
    ``InvalidPrefetchRequest`` naming what is wrong. ``sender`` and ``client_ip`` are optional."""
    payload, text = text_body(body, InvalidPrefetchRequest)
    sender, client_ip = payload.get("sender", ""), payload.get("client_ip", "")
    if not isinstance(sender, str) or len(sender) > MAX_SENDER_CHARS:
        raise InvalidPrefetchRequest(f"sender must be a string of at most {MAX_SENDER_CHARS} characters")
    if not isinstance(client_ip, str) or len(client_ip) > MAX_SENDER_CHARS:
        raise InvalidPrefetchRequest(f"client_ip must be a string of at most {MAX_SENDER_CHARS} characters")
    return text, client_for(sender, {"client_ip": client_ip}, exchanges=0)


def _log_failure(task: asyncio.Task[bool]) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.warning("prefetch failed: %r", task.exception())


def add_prefetch_route(app: Sanic[Any, Any], provider: BrainProvider = default_provider) -> None:
    """Serve ``POST /prefetch`` on the action server's app."""
    running: set[asyncio.Task[bool]] = set()

    async def prefetch(request: Request) -> HTTPResponse:
        try:
            text, client = parse_request(request.body)
        except InvalidPrefetchRequest as exc:
            return response.json({"error": str(exc)}, status=400)
        task = asyncio.ensure_future(provider.warm(text, client))
        running.add(task)
        task.add_done_callback(running.discard)
        task.add_done_callback(_log_failure)
        return response.json({"queued": True}, status=202)

    app.add_route(prefetch, "/prefetch", methods=["POST"], name="prefetch")
