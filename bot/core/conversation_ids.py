"""Conversation ids carry their channel: ``web:<uuid4>`` for the widget, ``messenger:<psid>``
for Messenger, ``comment:<comment id>`` for a comment under the page's posts and the replies to it
(the top-level comment's id as Meta gives it: digits and underscores). The queue and the archive
read the channel from the id to know where to reply.

REST ids (tools and tests) stay un-prefixed but are held to a small alphabet with no colon, so a
REST client can never name another channel's conversation nor a derived Redis key (``...:tickets``).
Every Redis key built from a conversation id goes through :func:`check_conversation_id`."""

from __future__ import annotations

import re
from typing import TypeGuard

WEB_PREFIX = "web:"
MESSENGER_PREFIX = "messenger:"
COMMENT_PREFIX = "comment:"
REST_ID_MAX_LENGTH = 64
_WEB = re.compile(r"^web:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
_MESSENGER = re.compile(r"^messenger:[0-9]{1,32}$")
_COMMENT = re.compile(r"^comment:[0-9]{1,32}(?:_[0-9]{1,32}){0,2}$")  # "<post>_<comment>" as Meta writes it
_REST = re.compile(rf"^[A-Za-z0-9_.-]{{1,{REST_ID_MAX_LENGTH}}}$")
# the four forms as one regular expression, for API documents (handoff.openapi)
PATTERN = "|".join(f"(?:{p.pattern})" for p in (_WEB, _MESSENGER, _COMMENT, _REST))


def valid_web_id(value: object) -> TypeGuard[str]:
    """A widget conversation id: ``web:`` and a random (version 4) UUID in lower case."""
    return isinstance(value, str) and _WEB.fullmatch(value) is not None


def valid_messenger_id(value: object) -> TypeGuard[str]:
    """A Messenger conversation id: ``messenger:`` and the page-scoped id (digits)."""
    return isinstance(value, str) and _MESSENGER.fullmatch(value) is not None


def valid_comment_id(value: object) -> TypeGuard[str]:
    """A comment conversation id: ``comment:`` and the top-level comment's id (digits, ``_``)."""
    return isinstance(value, str) and _COMMENT.fullmatch(value) is not None


def valid_rest_id(value: object) -> TypeGuard[str]:
    """A REST conversation id: 1-64 of ``A-Z a-z 0-9 _ . -`` (no colon, so no channel prefix)."""
    return isinstance(value, str) and _REST.fullmatch(value) is not None


def valid_conversation_id(value: object) -> TypeGuard[str]:
    """Any of the four forms: widget, Messenger, page comment or REST."""
    return valid_web_id(value) or valid_messenger_id(value) or valid_comment_id(value) or valid_rest_id(value)


def check_conversation_id(value: object) -> str:
    """``value`` if it is a valid conversation id, else ValueError naming it."""
    if not valid_conversation_id(value):
        raise ValueError(f"invalid conversation id {str(value)[:80]!r}: expected web:<uuid4>, "
                         f"messenger:<digits>, comment:<digits and _> or 1-{REST_ID_MAX_LENGTH} of A-Z a-z 0-9 _ . -")
    return value


def channel_of(conversation_id: str) -> str:
    """``webchat``, ``messenger``, ``comment`` or ``rest`` (tools and tests)."""
    if _WEB.fullmatch(conversation_id):
        return "webchat"
    if _MESSENGER.fullmatch(conversation_id):
        return "messenger"
    if _COMMENT.fullmatch(conversation_id):
        return "comment"
    return "rest"
