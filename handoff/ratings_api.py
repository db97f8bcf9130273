"""``POST /internal/ratings``: the customer's score and comment after a resolution (action server)."""

from __future__ import annotations

import re
from typing import Annotated

from aiohttp import web
from pydantic import BaseModel, BeforeValidator, Field

from handoff.appkeys import REDIS, SETTINGS
from handoff.contract import Auth, Body, body_of, contract
from handoff.internal import ConversationId
from handoff.models import TICKET_ID_PATTERN
from handoff.ratings import MAX_COMMENT_CHARS, Ratings, clean_comment, clean_score

TICKET_ID = re.compile(f"^{TICKET_ID_PATTERN}$")


def _ticket_id(value: object) -> str:
    """The message, not pydantic's: ``T1:notes`` reads as a bad ticket id."""
    if not isinstance(value, str) or not TICKET_ID.match(value):
        raise ValueError("ticket must be a ticket id such as T000123")
    return value


class RatingBody(Body):
    conversation_id: ConversationId
    ticket: Annotated[str, Field(pattern=f"^{TICKET_ID_PATTERN}$"), BeforeValidator(_ticket_id)]
    score: Annotated[int, Field(ge=1, le=5), BeforeValidator(clean_score)]
    comment: Annotated[str, Field(max_length=MAX_COMMENT_CHARS), BeforeValidator(clean_comment)] = ""


class RatingOut(BaseModel):
    ticket: str
    rating: int | None
    rating_comment: str



def ratings_of(app: web.Application) -> Ratings:
    settings = app[SETTINGS]
    return Ratings(app[REDIS], settings.survey_comment_minutes * 60, settings.retention.ticket_seconds)


@contract("The customer's 1-5 rating of a resolved ticket, and a comment; replaceable for a few minutes (action "
          "server)", auth=Auth.SERVICE, body=RatingBody, reply=RatingOut)
async def rate(request: web.Request) -> web.Response:
    """Store or replace a resolved ticket's rating: 404 for a ticket of another conversation,
    409 when not resolved by a moderator or when the rating is final."""
    data = await body_of(request, RatingBody)
    ticket = await ratings_of(request.app).rate(data.conversation_id, data.ticket, data.score, data.comment)
    return web.json_response({"ticket": ticket.id, "rating": ticket.rating, "rating_comment": ticket.rating_comment})


def setup_routes(app: web.Application) -> None:
    app.router.add_post("/internal/ratings", rate)
