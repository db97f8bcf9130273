"""``POST /suggest``: the closest FAQ answers to a customer message, for the moderator console.

The brain lives in this process, so the route sits on the action server's Sanic
app. The server listens on loopback only; the request is still checked here.

    {"text": "ile kosztuje dostawa", "k": 3}  ->  {"suggestions": [{"faq_id", "title", "answer", "score", "lang"}]}
"""

from __future__ import annotations

from typing import Any

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.bodies import MAX_TEXT_CHARS, text_body
from actions.brain_provider import BrainProvider, default_provider

__all__ = ["MAX_TEXT_CHARS", "InvalidSuggestRequest", "add_suggest_route", "parse_request"]

DEFAULT_K = 3
MAX_K = 5


class InvalidSuggestRequest(ValueError):
    """The body of a ``/suggest`` request is not what the route accepts."""


def parse_request(body: bytes) -> tuple[str, int]:
    """(text, k) from a JSON body, or ``InvalidSuggestRequest`` naming what is wrong."""
    payload, text = text_body(body, InvalidSuggestRequest)
    k = payload.get("k", DEFAULT_K)
    # bool is an int in Python; "k": true is a client bug, not 1.
    if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= MAX_K:
        raise InvalidSuggestRequest(f"k must be an integer from 1 to {MAX_K}")
    return text, k


async def suggest_response(provider: BrainProvider, body: bytes) -> HTTPResponse:
    try:
        text, k = parse_request(body)
    except InvalidSuggestRequest as exc:
        return response.json({"error": str(exc)}, status=400)
    return response.json({"suggestions": await provider.suggest(text, k)})


def add_suggest_route(app: Sanic[Any, Any], provider: BrainProvider = default_provider) -> None:
    """Serve ``POST /suggest`` on the action server's app."""

    async def suggest(request: Request) -> HTTPResponse:
        return await suggest_response(provider, request.body)

    app.add_route(suggest, "/suggest", methods=["POST"], name="suggest")
