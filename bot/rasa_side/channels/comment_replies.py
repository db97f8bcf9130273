"""How the bot and the moderators answer a comment under the page's posts: plain decisions, no I/O.

Everyone sees a public thread, so the answer itself goes privately and the thread only learns
where it went:

- a bot turn's messages are joined into the comment's ONE private reply (Meta allows one per
  comment, within 7 days; the customer's answer to it continues as a normal ``messenger:<psid>``
  conversation), with the last message's buttons as quick replies (every Send API message type is
  allowed in a private reply), and a short public reply says the answer went to Messenger. Joining
  rather than posting the rest publicly keeps answers (order numbers, addresses) out of the thread;
  a joined text longer than one Send API message is cut at a break and ends with "…";
- a handoff is told publicly, once per conversation: a person will answer. Queue positions,
  "Anna joined" and the hand-back line are never posted in a public thread;
- a moderator's reply goes publicly (``POST /{comment-id}/comments``) or as the private reply, as
  the moderator chose in the console (``visibility`` in the bot event's metadata, K3).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.rasa_side.channels.messenger_protocol import MAX_TEXT_CHARS, send_api_messages

PUBLIC, PRIVATE = "public", "private"
VISIBILITIES = (PUBLIC, PRIVATE)
LINES = {
    "moved": {"pl": "Odpowiedzieliśmy w wiadomości prywatnej 📩", "en": "We've replied in a private message 📩"},
    "person": {"pl": "Dziękujemy za komentarz. Ktoś z naszego zespołu wkrótce tu odpowie.",
               "en": "Thanks for your comment. Someone from our team will answer here soon."},
}


def line(key: str, lang: str) -> str:
    return LINES[key]["en" if lang == "en" else "pl"]


@dataclass(frozen=True)
class TurnPlan:
    private: dict[str, Any] | None  # the Send API message for the comment's private reply
    text: str  # the answer as plain text: posted publicly if the private reply cannot be sent
    tell_handoff: bool  # say publicly (once per conversation) that a person will answer


@dataclass(frozen=True)
class Pushed:
    text: str
    private: bool


def _handoff(message: dict[str, Any]) -> bool:
    custom = message.get("custom")
    return isinstance(custom, dict) and isinstance(custom.get("handoff"), dict)


def one_message(text: str, buttons: list[dict[str, Any]] | None) -> dict[str, Any] | None:
    """``text`` and buttons as a single Send API message (a private reply is one message)."""
    parts = send_api_messages(text, buttons)
    if not parts or not text.strip():
        return None
    first = dict(parts[0])
    if len(parts) > 1:
        first["text"] = first["text"][: MAX_TEXT_CHARS - 1].rstrip() + "…"
        if "quick_replies" in parts[-1]:
            first["quick_replies"] = parts[-1]["quick_replies"]
    return first


def plan_turn(messages: list[dict[str, Any]]) -> TurnPlan:
    """What one bot turn in a comment conversation sends (Rasa's message dicts, in order)."""
    texts: list[str] = []
    buttons: list[dict[str, Any]] | None = None
    for message in messages:
        if _handoff(message):
            continue  # its text is a queue position: not for a public thread, and the private reply is the answer's
        if isinstance(message.get("text"), str) and message["text"].strip():
            texts.append(message["text"].strip())
        chosen = message.get("quick_replies") or message.get("buttons")
        if isinstance(chosen, list) and chosen:
            buttons = chosen
    text = "\n\n".join(texts)
    return TurnPlan(one_message(text, buttons), text, any(_handoff(m) for m in messages))


def plan_pushed(message: dict[str, Any]) -> Pushed | None:
    """A message pushed by the handoff service (a moderator's reply), or None when it has no
    place in a comment thread (queue updates, "joined", the hand-back line)."""
    text = message.get("text")
    if _handoff(message) or not isinstance(text, str) or not text.strip():
        return None
    return Pushed(text.strip(), message.get("visibility") == PRIVATE)
