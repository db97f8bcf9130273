"""``POST /prefetch``: start on a customer message before Rasa asks for an answer.

Rasa reads the tracker, classifies the intent and predicts the next action before it
calls ``action_answer``; the embedding of the message (most of the brain's time) does
not depend on any of that. The Rasa server posts each message here as it arrives
(``bot/rasa_side/patches.py``) and this route queues ``Brain.warm`` on the brain's thread at
once, so the embedding runs on the other core while Rasa works, and ``decide`` finds it
cached. The answer comes before the work is done: 202, or 400 for a body it cannot use.

    {"text": "ile kosztuje dostawa"}  ->  202 {"queued": true}
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

logger = logging.getLogger(__name__)


class InvalidPrefetchRequest(ValueError):
    """The body of a ``/prefetch`` request is not what the route accepts."""


def parse_request(body: bytes) -> str:
    """The text from a JSON body, or ``InvalidPrefetchRequest`` naming what is wrong."""
    return text_body(body, InvalidPrefetchRequest)[1]


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.warning("prefetch failed: %r", task.exception())


def add_prefetch_route(app: Sanic[Any, Any], provider: BrainProvider = default_provider) -> None:
    """Serve ``POST /prefetch`` on the action server's app."""
    running: set[asyncio.Task[None]] = set()

    async def prefetch(request: Request) -> HTTPResponse:
        try:
            text = parse_request(request.body)
        except InvalidPrefetchRequest as exc:
            return response.json({"error": str(exc)}, status=400)
        task = asyncio.ensure_future(provider.warm(text))
        running.add(task)
        task.add_done_callback(running.discard)
        task.add_done_callback(_log_failure)
        return response.json({"queued": True}, status=202)

    app.add_route(prefetch, "/prefetch", methods=["POST"], name="prefetch")
