"""The widget's message ids and its catch-up after a reconnection: plain functions (contract K4).

A bot or moderator message reaches the widget live through Redis pub/sub, at most once: a
socket that is reconnecting at that moment misses it. So every message the product's widget
gets carries ``"id"``: the timestamp of its ``BotUttered`` event, as stored in the
conversation's event list. After each ``session_confirm`` the widget sends ``catch_up
{"last_id": <the last id it showed, or null>}`` and the channel answers with the bot messages
stored after that id (``select``), then ``caught_up {"count": n}``.

An id may be shown and never stored: Rasa sends a turn's messages before it saves them, and a
server killed in between leaves the widget holding an id no event has (a moderator's message is
delivered again with the same id, ``handoff/outbox.py``, but perhaps only after the widget is
back). Such an id is read as a time (``since``): the bot messages from the first one stamped
after it, less ``CLOCK_SKEW_SECONDS``, on; the widget drops the ones it already showed by their
ids. Only an id that is no number is refused.

Ids are opt-in: a socket asks for them when it connects (socket.io ``auth`` ``{"message_ids":
true}``) and then also joins ``ids_room(conversation)``, where each message comes once, whole,
with its id (``widget_payload``). The conversation's own room keeps Rasa's shapes without an id:
rasa-webchat shows a text only when ``text`` is its one key. The product's widget is in both
rooms and skips the copies without an id.

No Rasa import: the rules are unit-tested in the application's venv.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

# Events read from the end of the conversation's list: first a few, then at most this many.
CATCH_UP_FIRST_READ = 100
CATCH_UP_MAX_EVENTS = 1000
# How far apart the clocks that stamp messages may be (Rasa servers; Redis for the outbox's
# entries): an id read as a time also brings what was stamped this much before it.
CLOCK_SKEW_SECONDS = 10.0
MAX_CATCH_UPS_PER_CONNECTION = 5  # the widget sends one per connection; more is a client misbehaving
IDS_ROOM_SUFFIX = "#ids"  # no web:<uuid4> ends so: the two rooms of a conversation never meet
AUTH_MESSAGE_IDS = "message_ids"  # the socket.io connect ``auth`` key that asks for ids
BOT_EVENT = "bot"
DECISION_KEY, TOPIC_KEY, ANSWER_DECISION = "bot_decision", "bot_faq_id", "answer"  # as actions/answer.py writes


def ids_room(conversation_id: str) -> str:
    """The room of a conversation's sockets that asked for message ids."""
    return conversation_id + IDS_ROOM_SUFFIX


def wants_ids(auth: Any) -> bool:
    return isinstance(auth, dict) and auth.get(AUTH_MESSAGE_IDS) is True


def message_of(event: dict[str, Any]) -> dict[str, Any]:
    """What Rasa hands the output channel for a stored bot event (``BotUttered.message()``)."""
    message = dict(event.get("data") or {})
    message["text"] = event.get("text")
    message["timestamp"] = event.get("timestamp")
    message.update(event.get("metadata") or {})
    if message.get("image") == message.get("attachment"):
        message["attachment"] = None
    return message


def _quick_replies(buttons: Any) -> list[dict[str, Any]]:
    return [{"content_type": "text", "title": b.get("title"), "payload": b.get("payload")}
            for b in buttons if isinstance(b, dict)]


def widget_payload(message: dict[str, Any]) -> dict[str, Any] | None:
    """One ``bot_uttered`` for the widget from one bot message (live or stored): its id and what of
    text, quick replies, custom data and attachment it has (Rasa's keys); None when it shows nothing
    (Rasa's output would emit nothing either)."""
    payload: dict[str, Any] = {}
    if message.get("text"):
        payload["text"] = message["text"]
        buttons = message.get("quick_replies") or message.get("buttons")
        if buttons:
            payload["quick_replies"] = _quick_replies(buttons)
    if message.get("custom"):
        payload["custom"] = message["custom"]
    if message.get("image"):
        payload["attachment"] = {"type": "image", "payload": {"src": message["image"]}}
    elif message.get("attachment"):
        payload["attachment"] = message["attachment"]
    if not payload or not valid_id(message.get("timestamp")):
        return None
    if rateable(message):
        payload["rateable"] = True  # the widget offers "helpful / not helpful" (channels/answer_ratings.py)
    return {"id": message["timestamp"], **payload}


def rateable(message: dict[str, Any]) -> bool:
    """An answer from the FAQ (``actions/answer.py`` keeps its decision and topic in the metadata)."""
    return message.get(DECISION_KEY) == ANSWER_DECISION and bool(message.get(TOPIC_KEY)) and bool(message.get("text"))


def valid_id(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


@dataclass(frozen=True)
class CatchUp:
    """The widget's messages after ``last_id``; ``found`` is False when ``last_id`` is not the id
    of a bot message among the events read (the caller may read further back, or refuse it)."""

    messages: list[dict[str, Any]]
    found: bool


def select(events: list[dict[str, Any]], last_id: Any) -> CatchUp:
    """The payloads of the bot messages stored after the bot event whose timestamp is ``last_id``,
    in stored order (the list's order is the truth: clocks of two servers may disagree). ``None``:
    nothing (a new widget shows its welcome, a reloaded one its stored transcript)."""
    if last_id is None:
        return CatchUp([], True)
    if not valid_id(last_id):
        return CatchUp([], False)
    found = None
    for i in range(len(events) - 1, -1, -1):
        event = events[i]
        if event.get("event") == BOT_EVENT and event.get("timestamp") == last_id:
            found = i
            break
    if found is None:
        return CatchUp([], False)
    later = (widget_payload(message_of(e)) for e in events[found + 1:] if e.get("event") == BOT_EVENT)
    return CatchUp([p for p in later if p is not None], True)


def since(events: list[dict[str, Any]], last_id: float) -> CatchUp:
    """For an id that is no stored message's (``select`` did not find it): every bot message from
    the first one stamped after ``last_id - CLOCK_SKEW_SECONDS`` on, in stored order (one stored
    later with an earlier stamp, a moderator's delivered late, is not skipped). Some of them the
    widget may have shown; it knows them by their ids."""
    cutoff = last_id - CLOCK_SKEW_SECONDS
    start = next((i for i, e in enumerate(events) if e.get("event") == BOT_EVENT
                  and valid_id(e.get("timestamp")) and e["timestamp"] > cutoff), len(events))
    later = (widget_payload(message_of(e)) for e in events[start:] if e.get("event") == BOT_EVENT)
    return CatchUp([p for p in later if p is not None], True)
