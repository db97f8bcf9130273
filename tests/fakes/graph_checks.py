"""What the Graph API checks in a request, as the fake Graph API checks it (tests/fakes/graph_api.py).

Each check raises ``GraphError`` with Meta's error code and a message in Meta's style; the fake
answers it with Meta's error shape (``error_body``) and HTTP 400. Limits are Meta's documented
ones (Send API reference: messaging types, message tags, sender actions, quick replies).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

MESSAGING_TYPES = ("RESPONSE", "UPDATE", "MESSAGE_TAG")
MESSAGE_TAGS = ("CONFIRMED_EVENT_UPDATE", "POST_PURCHASE_UPDATE", "ACCOUNT_UPDATE", "HUMAN_AGENT")
SENDER_ACTIONS = ("typing_on", "typing_off", "mark_seen")
QUICK_REPLY_TYPES = ("text", "user_phone_number", "user_email")
MAX_TEXT_CHARS = 2000
MAX_QUICK_REPLIES = 13
MAX_QUICK_REPLY_TITLE = 20
MAX_PAYLOAD_CHARS = 1000
MAX_COMMENT_CHARS = 8000
INVALID_PARAMETER, INVALID_TOKEN = 100, 190
_trace = itertools.count(1)


class GraphError(Exception):
    def __init__(self, message: str, code: int = INVALID_PARAMETER, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.status = code, status


def error_body(message: str, code: int = INVALID_PARAMETER, kind: str = "OAuthException") -> dict[str, Any]:
    """Meta's error shape."""
    return {"error": {"message": f"(#{code}) {message}", "type": kind, "code": code,
                      "fbtrace_id": f"AfakeTrace{next(_trace):06d}"}}


def check_token(query: Mapping[str, str]) -> None:
    if not query.get("access_token"):
        raise GraphError("An active access token must be used to query information", INVALID_TOKEN)


def _quick_replies(replies: Any) -> None:
    if not isinstance(replies, list) or not 1 <= len(replies) <= MAX_QUICK_REPLIES:
        raise GraphError(f"param message[quick_replies] must be an array of 1-{MAX_QUICK_REPLIES} items")
    for i, reply in enumerate(replies):
        kind = reply.get("content_type") if isinstance(reply, dict) else None
        if kind not in QUICK_REPLY_TYPES:
            raise GraphError(f"param message[quick_replies][{i}][content_type] must be one of "
                             f"{', '.join(QUICK_REPLY_TYPES)}")
        if kind != "text":
            continue
        title, payload = reply.get("title"), reply.get("payload")
        if not isinstance(title, str) or not 1 <= len(title) <= MAX_QUICK_REPLY_TITLE:
            raise GraphError(f"param message[quick_replies][{i}][title] must be 1-{MAX_QUICK_REPLY_TITLE} characters")
        if not isinstance(payload, str | int) or len(str(payload)) > MAX_PAYLOAD_CHARS:
            raise GraphError(f"param message[quick_replies][{i}][payload] must be at most {MAX_PAYLOAD_CHARS} "
                             "characters")


def _message(message: Any) -> None:
    if not isinstance(message, dict) or not ("text" in message or "attachment" in message):
        raise GraphError("param message must have text or attachment")
    if "text" in message:
        text = message["text"]
        if not isinstance(text, str) or not text:
            raise GraphError("param message[text] must be a non-empty UTF-8 encoded string")
        if len(text) > MAX_TEXT_CHARS:
            raise GraphError(f"param message[text] must be UTF-8 encoded with {MAX_TEXT_CHARS} or fewer characters")
    if "quick_replies" in message:
        _quick_replies(message["quick_replies"])


def check_send(body: Any) -> str:
    """A ``POST /me/messages`` body; returns its kind: "message" or "sender_action"."""
    if not isinstance(body, dict):
        raise GraphError("the request body must be a JSON object")
    recipient = body.get("recipient")
    if not isinstance(recipient, dict) or len(recipient) != 1 or \
            not any(recipient.get(k) for k in ("id", "comment_id")):
        raise GraphError("param recipient must have exactly one of id, comment_id")
    if ("message" in body) == ("sender_action" in body):
        raise GraphError("exactly one of message and sender_action must be given")
    if "sender_action" in body:
        if body["sender_action"] not in SENDER_ACTIONS:
            raise GraphError(f"param sender_action must be one of {', '.join(SENDER_ACTIONS)}")
        if "messaging_type" in body and body["messaging_type"] not in MESSAGING_TYPES:
            raise GraphError(f"param messaging_type must be one of {', '.join(MESSAGING_TYPES)}")
        return "sender_action"
    kind = body.get("messaging_type")
    if kind not in MESSAGING_TYPES:
        raise GraphError(f"param messaging_type must be one of {', '.join(MESSAGING_TYPES)}")
    if kind == "MESSAGE_TAG" and body.get("tag") not in MESSAGE_TAGS:
        raise GraphError(f"param tag must be one of {', '.join(MESSAGE_TAGS)} with messaging_type MESSAGE_TAG")
    if kind != "MESSAGE_TAG" and "tag" in body:
        raise GraphError("param tag is only allowed with messaging_type MESSAGE_TAG")
    _message(body["message"])
    return "message"


def check_profile(query: Mapping[str, str]) -> list[str]:
    """``GET /{psid}?fields=...``: the fields asked for."""
    fields = [f for f in query.get("fields", "").split(",") if f]
    if not fields:
        raise GraphError("param fields is required to read a user profile")
    return fields


def check_comment_reply(body: Any) -> None:
    """``POST /{comment_id}/comments`` with ``message``."""
    message = body.get("message") if isinstance(body, dict) else None
    if not isinstance(message, str) or not message.strip() or len(message) > MAX_COMMENT_CHARS:
        raise GraphError(f"param message must be a non-empty string of at most {MAX_COMMENT_CHARS} characters")
