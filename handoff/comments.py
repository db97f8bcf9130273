"""Public tickets: a comment under the page's posts, answered in public or privately (K3).

A moderator's reply to a public ticket carries ``visibility``: "public" (the default: a reply
under the comment) or "private" (the comment's one private reply, in the commenter's Messenger
inbox; Meta allows one per comment). Other tickets take no visibility. The console learns where
the comment is and whether its private reply is used from ``comment_facts``, read from the
conversation's events and the Messenger channel's ``private_reply`` key.
"""

from __future__ import annotations

import json
from typing import Any

from bot.core.comments import comment_url, latest_comment
from bot.core.keys import MessengerKeys, TrackerKeys
from handoff.errors import BadRequest, Conflict
from handoff.models import Ticket

PUBLIC, PRIVATE = "public", "private"
VISIBILITIES = (PUBLIC, PRIVATE)
LOOKBACK_EVENTS = 200  # how far back a conversation is read for its latest comment


def parse_visibility(value: object, ticket: Ticket) -> str:
    """The reply's visibility ("" for a private conversation); BadRequest naming the field."""
    if value is None:
        return PUBLIC if ticket.in_public else ""
    if value not in VISIBILITIES:
        raise BadRequest("visibility must be public or private")
    if not ticket.in_public:
        raise BadRequest(f"visibility: ticket {ticket.id} is no public comment; its replies are private already")
    return str(value)


async def comment_facts(redis: Any, ticket: Ticket, events: list[dict[str, Any]],
                        messenger: MessengerKeys | None = None) -> dict[str, Any] | None:
    """The latest customer comment of a public ticket: ids, text, a link, and whether its one
    private reply is used already; None for other tickets or before any comment is stored."""
    comment = latest_comment(events) if ticket.in_public else None
    if comment is None:
        return None
    used = await redis.exists((messenger or MessengerKeys()).private_reply(comment["comment_id"]))
    return {**comment, "url": comment_url(str(comment.get("post_id", "")), comment["comment_id"]),
            "private_reply_used": bool(used)}


async def check_private_reply(redis: Any, tracker: TrackerKeys, ticket: Ticket, visibility: str) -> None:
    """Conflict (409) when a private reply is asked for and the comment's one is used already."""
    if visibility != PRIVATE:
        return
    raw = await redis.lrange(tracker.events(ticket.conversation_id), -LOOKBACK_EVENTS, -1)
    facts = await comment_facts(redis, ticket, [json.loads(r) for r in raw])
    if facts is None:
        raise Conflict(f"ticket {ticket.id}: no comment of the customer found to reply to privately")
    if facts["private_reply_used"]:
        raise Conflict(f"ticket {ticket.id}: the private reply to comment {facts['comment_id']} is used already "
                       "(Meta allows one per comment); reply publicly")
