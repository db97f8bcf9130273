"""A conversation's transcript from Rasa's events: plain functions.

Rasa's tracker store keeps every event of a conversation (``bot:events:<id>``), including
the customer's messages while the bot is paused; moderators' replies are bot events with
``metadata.moderator``. The transcript is read from there, never copied, so it cannot
miss a message the customer sent while the handoff service was down.
"""

from __future__ import annotations

from typing import Any

MAX_TURNS = 500  # the console shows the latest ones of a very long conversation


def turn_of(event: dict[str, Any]) -> dict[str, Any] | None:
    """One line of the transcript, or None for events that are not messages."""
    kind = event.get("event")
    at = float(event.get("timestamp") or 0.0)
    if kind == "user":
        metadata = event.get("metadata") or {}
        title = (metadata.get("messenger") or {}).get("title") if isinstance(metadata, dict) else None
        text = event.get("text") or ""
        if text.startswith("/"):  # a quick reply the customer clicked: show what they saw
            text = title or "(wybrano temat)"
        return {"role": "customer", "text": text, "at": at}
    if kind == "bot":
        metadata = event.get("metadata") or {}
        text = event.get("text")
        if not text:
            return None  # status updates for the widget carry no text
        if metadata.get("moderator"):
            return {"role": "moderator", "text": text, "at": at, "name": metadata.get("moderator_name", "")}
        return {"role": "bot", "text": text, "at": at}
    return None


def transcript(events: list[dict[str, Any]], limit: int = MAX_TURNS) -> list[dict[str, Any]]:
    turns = [t for t in (turn_of(e) for e in events) if t is not None]
    return turns[-limit:]


def last_customer_text(events: list[dict[str, Any]], messages: int = 3) -> str:
    """What the customer last wrote: their latest ``messages`` typed messages, oldest first.

    A latest message alone is often "halo?" or a number; the few before it carry the topic
    the suggested answers should match."""
    texts: list[str] = []
    for event in reversed(events):
        if event.get("event") == "user" and event.get("text") and not str(event["text"]).startswith("/"):
            texts.append(str(event["text"]))
            if len(texts) == messages:
                break
    return " ".join(reversed(texts))
