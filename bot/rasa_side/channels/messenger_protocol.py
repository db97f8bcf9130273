"""The Messenger Platform's webhook and Send API formats, as plain functions.

No Rasa and no I/O here: the Rasa channel (``bot.rasa_side.channels.messenger``) and the tests both
use these. References: Meta's "Webhooks for Messenger Platform" (X-Hub-Signature-256,
hub.challenge) and "Send API" (messaging_type, the HUMAN_AGENT tag, quick replies).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from bot.core.conversation_ids import COMMENT_PREFIX
from bot.core.messenger_window import Window, closed_reason, window
from bot.rasa_side.channels.commands import customer_text
from bot.rasa_side.channels.comment_protocol import Comment, entry_comments

# Messenger sends at most a few KB per event and batches events; anything bigger is not Messenger.
MAX_BODY_BYTES = 1024 * 1024
MAX_TEXT_CHARS = 2000
MAX_QUICK_REPLIES = 13
MAX_QUICK_REPLY_TITLE = 20
SENDER_PREFIX = "messenger:"
# Photos, stickers and files reach Rasa as this intent (the bot thanks and asks for words).
ATTACHMENT_INTENT = "/attachment"
# The page's "Get Started" button reaches Rasa as this intent (the bot greets).
GREET_INTENT = "/greet"


class PayloadError(ValueError):
    """The webhook body is not a Messenger page event we accept; ``status`` is the HTTP answer."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Inbound:
    """One customer event worth a reply: text, quick reply, postback, attachment or a comment
    under the page's posts (``bot.rasa_side.channels.comment_protocol``)."""

    kind: str  # "text" | "quick_reply" | "postback" | "attachment" | "comment"
    psid: str  # for a comment: the commenter's id
    event_id: str  # Messenger's message id (mid), a digest for postbacks without one, or the comment id
    text: str  # what Rasa receives: the text, or the quick reply's / postback's payload
    title: str  # what the customer saw or typed
    timestamp_ms: int
    # comments only: the commenter's name, the post, the comment answered, the top-level comment
    name: str = ""
    post_id: str = ""
    parent_id: str = ""
    thread_id: str = ""

    @property
    def sender_id(self) -> str:
        """The conversation: ``messenger:<psid>``, or ``comment:<top-level comment id>``."""
        return COMMENT_PREFIX + self.thread_id if self.kind == "comment" else SENDER_PREFIX + self.psid

    @property
    def order_id(self) -> str:
        """What the inbox keeps in order: the customer (one Messenger conversation each), or the
        comment conversation (several commenters may write in one thread)."""
        return self.sender_id if self.kind == "comment" else self.psid

    @classmethod
    def of_comment(cls, c: Comment) -> Inbound:
        return cls("comment", c.commenter, c.comment_id, c.text, c.text, c.timestamp_ms, c.name, c.post_id,
                   c.parent_id, c.thread_id)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str) -> Inbound:
        return cls(**json.loads(raw))


def psid_of(sender_id: str) -> str:
    """The page-scoped id inside a conversation id ``messenger:<psid>``."""
    if not sender_id.startswith(SENDER_PREFIX) or len(sender_id) == len(SENDER_PREFIX):
        raise ValueError(f"not a Messenger conversation id: {sender_id!r}")
    return sender_id[len(SENDER_PREFIX):]


def rasa_text(event: Inbound, get_started_payload: str = "") -> str:
    """What Rasa is given for an event: typed text; the greet intent for the page's Get Started
    postback; a button's payload when it is one of our intent commands
    (``/choose_topic{...}``), else the title the customer clicked. Other text starting
    with "/" is never a command (``bot.rasa_side.channels.commands``)."""
    if event.kind == "attachment" or (event.kind == "comment" and not event.text):
        return ATTACHMENT_INTENT  # a comment of a photo or sticker alone too
    if event.kind == "postback" and get_started_payload and event.text == get_started_payload:
        return GREET_INTENT
    if event.kind in ("quick_reply", "postback") and not event.text.startswith("/"):
        return customer_text(event.title)
    return customer_text(event.text)


def signature_valid(app_secret: str, body: bytes, header: str | None) -> bool:
    """``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>``, compared in constant time."""
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header[len("sha256="):].strip().lower())


def sign(app_secret: str, body: bytes) -> str:
    """The header value Messenger would send with ``body`` (for tests and tools)."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def subscription_challenge(params: Mapping[str, str], verify_token: str) -> str | None:
    """The challenge to echo when the subscription request carries our verify token, else None."""
    token = params.get("hub.verify_token", "")
    if params.get("hub.mode") != "subscribe" or not verify_token:
        return None
    if not hmac.compare_digest(token.encode(), verify_token.encode()):
        return None
    return params.get("hub.challenge")


def _field(mapping: Any, key: str, where: str) -> Any:
    if not isinstance(mapping, dict) or key not in mapping:
        raise PayloadError(f"missing field {where}.{key}")
    return mapping[key]


def _string(mapping: Any, key: str, where: str) -> str:
    value = _field(mapping, key, where)
    if not isinstance(value, str | int) or isinstance(value, bool) or str(value) == "":
        raise PayloadError(f"field {where}.{key} must be a non-empty string")
    return str(value)


def _inbound(event: Any, where: str) -> Inbound | None:
    if not isinstance(event, dict):
        raise PayloadError(f"{where} must be an object")
    psid = _string(_field(event, "sender", where), "id", f"{where}.sender")
    timestamp = event.get("timestamp", 0)
    if not isinstance(timestamp, int):
        raise PayloadError(f"field {where}.timestamp must be a number")
    if "message" in event:
        message = event["message"]
        if not isinstance(message, dict):
            raise PayloadError(f"field {where}.message must be an object")
        if message.get("is_echo"):
            return None  # our own page's messages, sent back to us
        mid = _string(message, "mid", f"{where}.message")
        quick = message.get("quick_reply")
        if isinstance(quick, dict) and isinstance(quick.get("payload"), str):
            title = str(message.get("text", quick["payload"]))
            return Inbound("quick_reply", psid, mid, quick["payload"], title, timestamp)
        if isinstance(message.get("text"), str):
            return Inbound("text", psid, mid, message["text"], message["text"], timestamp)
        if message.get("attachments") or message.get("sticker_id"):
            return Inbound("attachment", psid, mid, "", "", timestamp)
        raise PayloadError(f"{where}.message has neither text nor attachments")
    if "postback" in event:
        postback = event["postback"]
        payload = _string(postback, "payload", f"{where}.postback")
        title = str(postback.get("title", payload))  # _string checked that postback is an object
        postback_id = postback.get("mid")
        if not isinstance(postback_id, str) or not postback_id:
            digest = hashlib.sha256(f"{psid}|{timestamp}|{payload}".encode()).hexdigest()[:32]
            postback_id = f"postback:{digest}"
        return Inbound("postback", psid, postback_id, payload, title, timestamp)
    # delivery and read receipts, reactions, optins, referrals...: nothing to answer
    return None


def parse_webhook(body: bytes) -> list[Inbound]:
    """The customer events in a webhook body, in order; PayloadError if the body is not acceptable.

    The whole body is checked before anything is returned, so a bad Messenger event rejects the
    batch and nothing of it is processed (Messenger retries the delivery). Feed ``changes`` are
    the exception: what is not a new comment, or is malformed, is logged and skipped
    (``bot.rasa_side.channels.comment_protocol``); an entry with neither is refused."""
    if len(body) > MAX_BODY_BYTES:
        raise PayloadError(f"body larger than {MAX_BODY_BYTES} bytes", status=413)
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise PayloadError(f"body is not JSON: {e}") from None
    if not isinstance(data, dict):
        raise PayloadError("body must be a JSON object")
    if data.get("object") != "page":
        raise PayloadError(f"unsupported object type {data.get('object')!r}: only 'page' events are accepted")
    entries = _field(data, "entry", "body")
    if not isinstance(entries, list):
        raise PayloadError("field body.entry must be a list")
    events: list[Inbound] = []
    for i, entry in enumerate(entries):
        if isinstance(entry, dict) and "changes" in entry:  # the feed: comments (bad ones skipped, never refused)
            events += [Inbound.of_comment(c) for c in entry_comments(entry, f"entry[{i}]")]
            if "messaging" not in entry:
                continue
        messaging = _field(entry, "messaging", f"entry[{i}]")
        if not isinstance(messaging, list):
            raise PayloadError(f"field entry[{i}].messaging must be a list")
        for j, event in enumerate(messaging):
            inbound = _inbound(event, f"entry[{i}].messaging[{j}]")
            if inbound is not None:
                events.append(inbound)
    return events


class OutsideWindow(Exception):
    """Meta's rules forbid sending this message now; the message says why."""


def messaging_fields(last_customer_message_at: float | None, now: float, by_person: bool = False) -> dict[str, str]:
    """``messaging_type`` (and tag) for a message sent at ``now`` (``bot.core.messenger_window``).

    Inside the 24-hour window a plain response; from 24 hours to 7 days a person's reply
    (``by_person``: the bot event carries ``moderator``) with the HUMAN_AGENT tag, while the
    bot's own messages raise OutsideWindow; after 7 days everything raises OutsideWindow."""
    current = window(last_customer_message_at, now)
    if current is Window.STANDARD or last_customer_message_at is None:
        return {"messaging_type": "RESPONSE"}
    if current is Window.CLOSED:
        raise OutsideWindow(closed_reason(last_customer_message_at, now))
    if not by_person:
        raise OutsideWindow("outside Messenger's 24-hour window only a person's reply may be sent (HUMAN_AGENT); "
                            "the bot's automated message was not sent")
    return {"messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT"}


def sender_actions_allowed(last_customer_message_at: float | None, now: float) -> bool:
    """``mark_seen`` / ``typing_on`` only inside the standard 24-hour window."""
    return window(last_customer_message_at, now) is Window.STANDARD


def split_text(text: str, limit: int = MAX_TEXT_CHARS) -> list[str]:
    """Text cut into Send API sized parts, at paragraph, line or word breaks where possible."""
    text = text.strip()
    parts: list[str] = []
    while len(text) > limit:
        cut = max(text.rfind(sep, 0, limit) for sep in ("\n\n", "\n", " "))
        if cut <= 0:
            cut = limit
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        parts.append(text)
    return parts


def _title(title: str) -> str:
    title = title.strip()
    return title if len(title) <= MAX_QUICK_REPLY_TITLE else title[: MAX_QUICK_REPLY_TITLE - 1].rstrip() + "…"


def send_api_messages(text: str | None, buttons: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Send API ``message`` objects for a bot text with optional buttons.

    Buttons become quick replies on the last part. Messenger allows 13 of them with titles
    of 20 characters; when a title is longer, the text lists the full titles, numbered,
    and each quick reply starts with its number."""
    buttons = (buttons or [])[:MAX_QUICK_REPLIES]
    titles = [str(b.get("title", "")).strip() for b in buttons]
    numbered = any(len(t) > MAX_QUICK_REPLY_TITLE for t in titles)
    if numbered:
        listing = "\n".join(f"{i}. {t}" for i, t in enumerate(titles, 1))
        text = f"{(text or '').strip()}\n\n{listing}".strip()
    messages: list[dict[str, Any]] = [{"text": part} for part in split_text(text or "")]
    if buttons:
        if not messages:
            messages = [{"text": "…"}]
        messages[-1]["quick_replies"] = [
            {"content_type": "text", "title": _title(f"{i}. {t}" if numbered else t),
             "payload": str(b.get("payload", ""))}
            for i, (t, b) in enumerate(zip(titles, buttons, strict=True), 1)
        ]
    return messages
