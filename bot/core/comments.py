"""Where a comment conversation's latest customer comment is: read from its tracker events.

The Messenger channel puts ``{"comment_id", "post_id", "parent_id"}`` into the metadata of each
comment's user message (key ``comment``); the Messenger output sends a moderator's private reply
to the latest one, and the console shows it with a link and whether its one private reply is used.
Shared by the Rasa side and the handoff service, so no channel code here.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

COMMENT_KEY = "comment"  # the user message's metadata key
FACEBOOK_URL = "https://www.facebook.com"


def latest_comment(events: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The latest user event's comment (``comment_id``, ``post_id``, ``parent_id``, and the
    comment's ``text``), or None when the conversation has none."""
    for event in reversed(events):
        comment = (event.get("metadata") or {}).get(COMMENT_KEY) if event.get("event") == "user" else None
        if isinstance(comment, dict) and isinstance(comment.get("comment_id"), str):
            return {**comment, "text": event.get("text") or ""}
    return None


def comment_url(post_id: str, comment_id: str) -> str:
    """A link to the comment on Facebook (the post, opened at the comment)."""
    return f"{FACEBOOK_URL}/{quote(post_id, safe='')}?comment_id={quote(comment_id, safe='')}"
