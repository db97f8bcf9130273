"""``POST /internal/ratings``: the customer's score and comment after a resolution (action server)."""

from __future__ import annotations

import re

from aiohttp import web

from handoff.api import _body
from handoff.appkeys import REDIS, SETTINGS
from handoff.errors import BadRequest
from handoff.internal import _conversation_id
from handoff.models import TICKET_ID_PATTERN
from handoff.ratings import Ratings, clean_comment, clean_score

TICKET_ID = re.compile(f"^{TICKET_ID_PATTERN}$")


def ratings_of(app: web.Application) -> Ratings:
    settings = app[SETTINGS]
    return Ratings(app[REDIS], settings.survey_comment_minutes * 60, settings.retention.ticket_seconds)


async def rate(request: web.Request) -> web.Response:
    """Store or replace a resolved ticket's rating: 404 for a ticket of another conversation,
    409 when not resolved by a moderator or when the rating is final."""
    data = await _body(request)
    conversation_id = _conversation_id(data.get("conversation_id"))
    ticket_id = data.get("ticket")
    if not isinstance(ticket_id, str) or not TICKET_ID.match(ticket_id):
        raise BadRequest("ticket must be a ticket id such as T000123")
    try:
        score, comment = clean_score(data.get("score")), clean_comment(data.get("comment"))
    except ValueError as e:
        raise BadRequest(str(e)) from None
    ticket = await ratings_of(request.app).rate(conversation_id, ticket_id, score, comment)
    return web.json_response({"ticket": ticket.id, "rating": ticket.rating, "rating_comment": ticket.rating_comment})


def setup_routes(app: web.Application) -> None:
    app.router.add_post("/internal/ratings", rate)
