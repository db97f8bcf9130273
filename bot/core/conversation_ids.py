"""Conversation ids carry their channel: ``web:<uuid4>`` for the widget, ``messenger:<psid>``
for Messenger. The queue and the archive read the channel from the id to know where to reply."""

from __future__ import annotations

import re
from typing import TypeGuard

WEB_PREFIX = "web:"
MESSENGER_PREFIX = "messenger:"
_WEB = re.compile(r"^web:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
_MESSENGER = re.compile(r"^messenger:[0-9]{1,32}$")


def valid_web_id(value: object) -> TypeGuard[str]:
    """A widget conversation id: ``web:`` and a random (version 4) UUID in lower case."""
    return isinstance(value, str) and _WEB.match(value) is not None


def channel_of(conversation_id: str) -> str:
    """``webchat``, ``messenger`` or ``rest`` (tools and tests)."""
    if _WEB.match(conversation_id):
        return "webchat"
    if _MESSENGER.match(conversation_id):
        return "messenger"
    return "rest"
