"""Comments under the page's posts as the ``feed`` webhook delivers them: plain functions, no I/O.

A page subscribed to ``feed`` gets ``{"object": "page", "entry": [{"id": PAGE, "time": ...,
"changes": [{"field": "feed", "value": {"item": "comment", "verb": "add", "comment_id", "post_id",
"parent_id", "from": {"id", "name"}, "message", "created_time", ...}}]}]}`` (Meta's "Webhooks for
Pages", feed field). Only a new comment or a reply to one is something to answer; everything else
the feed reports (likes, reactions, posts, edits, removals, hidden comments) and anything malformed
is logged and skipped, never refused: a 4xx makes Meta retry and, in time, turn the subscription off.

A comment's conversation is ``comment:<top-level comment id>``: a reply to a comment (its
``parent_id`` is not the post) joins its parent's conversation.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.core.conversation_ids import COMMENT_PREFIX, valid_comment_id

logger = logging.getLogger(__name__)

FEED_FIELD = "feed"
COMMENT_ITEM = "comment"
ADD_VERB = "add"
# The handoff service refuses longer names (handoff/internal.py MAX_NAME_CHARS): a longer one is dropped.
MAX_NAME_CHARS = 80


@dataclass(frozen=True)
class Comment:
    commenter: str  # the commenter's id (``from.id``)
    name: str  # ``from.name``, "" when missing or unusable
    comment_id: str
    post_id: str
    parent_id: str  # the post for a top-level comment, else the comment it answers
    thread_id: str  # the top-level comment: the conversation is comment:<thread_id>
    text: str  # "" for a photo or sticker without words
    timestamp_ms: int

    @property
    def conversation_id(self) -> str:
        return COMMENT_PREFIX + self.thread_id


def _id(value: Any) -> str:
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""


def _name(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    name = " ".join(value.split())
    if len(name) > MAX_NAME_CHARS or any(unicodedata.category(c).startswith("C") for c in name):
        return ""
    return name


def _timestamp_ms(value: Any) -> int:
    """``created_time`` is seconds in the webhook (an ISO 8601 string in some of Meta's examples)."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value * 1000
    if isinstance(value, str):
        try:
            iso = value.replace("Z", "+00:00").replace("+0000", "+00:00")  # Python 3.10 reads neither form
            return int(datetime.fromisoformat(iso).timestamp() * 1000)
        except ValueError:
            return 0
    return 0


def _skip(where: str, why: str, level: int = logging.INFO) -> None:
    logger.log(level, "Messenger webhook: %s skipped (%s)", where, why)


def comment_of(change: Any, page_id: str, where: str) -> Comment | None:
    """The new comment in one ``changes[]`` item, or None (logged) when it is nothing to answer."""
    if not isinstance(change, dict) or not isinstance(change.get("value"), dict):
        _skip(where, "not a change with a value object", logging.WARNING)
        return None
    value = change["value"]
    if change.get("field") != FEED_FIELD or value.get("item") != COMMENT_ITEM or value.get("verb") != ADD_VERB:
        _skip(where, f"field {change.get('field')!r}, item {value.get('item')!r}, verb {value.get('verb')!r}")
        return None
    sender = value.get("from") if isinstance(value.get("from"), dict) else {}
    commenter, comment_id, post_id = _id(sender.get("id")), _id(value.get("comment_id")), _id(value.get("post_id"))
    parent_id = _id(value.get("parent_id")) or post_id
    if not commenter or not comment_id or not post_id:
        _skip(where, "a comment without from.id, comment_id or post_id", logging.WARNING)
        return None
    if commenter == page_id:
        _skip(where, "the page's own comment")  # our replies come back as webhooks too
        return None
    thread_id = comment_id if parent_id == post_id else parent_id
    if not valid_comment_id(COMMENT_PREFIX + thread_id) or not valid_comment_id(COMMENT_PREFIX + comment_id):
        _skip(where, "a comment id that is not digits and underscores", logging.WARNING)
        return None
    text = value.get("message") if isinstance(value.get("message"), str) else ""
    return Comment(commenter, _name(sender.get("name")), comment_id, post_id, parent_id, thread_id, text.strip(),
                   _timestamp_ms(value.get("created_time")))


def entry_comments(entry: dict[str, Any], where: str) -> list[Comment]:
    """The new comments in one entry's ``changes`` (a list of anything: the bad items are skipped)."""
    changes = entry.get("changes")
    if not isinstance(changes, list):
        _skip(f"{where}.changes", "not a list", logging.WARNING)
        return []
    page_id = _id(entry.get("id"))
    found = (comment_of(change, page_id, f"{where}.changes[{j}]") for j, change in enumerate(changes))
    return [c for c in found if c is not None]
