"""The conversation so far, as the brain reads it: customer and bot turns, oldest first.

Callers give either plain strings (earlier customer messages, the original ``bin/ask``
contract) or turns with a role; a bot turn may say what the bot decided and which FAQ topic
it answered with. The action server builds the turns from the tracker (``actions/answer.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.core.text import sanitize

CUSTOMER, BOT = "customer", "bot"
ROLES = (CUSTOMER, BOT)
DECISIONS = ("answer", "clarify", "handoff")
# Longer messages are cut before they are read: the opening carries the question.
MAX_CHARS = 2000
# Only the latest turns matter for judging the next message.
LOOKBACK_TURNS = 8


def prepared(text: str | None) -> str:
    """A customer message as the brain reads it: sanitised, trimmed, its opening only (the same
    text, so the same cached reading, whether it is decided now or read again as history)."""
    return sanitize(text or "").strip()[:MAX_CHARS]


class HistoryError(ValueError):
    """A history item has the wrong shape; the message names the field."""


@dataclass(frozen=True)
class Turn:
    role: str
    text: str
    decision: str | None = None  # bot turns: what the bot decided
    faq_id: str | None = None  # bot turns: the topic it answered (or offered first)


def parse_history(items: Sequence[object]) -> list[Turn]:
    """Strings are earlier customer messages; mappings are turns. Bad items raise ``HistoryError``."""
    return [_turn(n, item) for n, item in enumerate(items)]


def _turn(n: int, item: object) -> Turn:
    if isinstance(item, str):
        return Turn(CUSTOMER, sanitize(item)[:MAX_CHARS])
    if not isinstance(item, Mapping):
        raise HistoryError(f"history[{n}] must be a string or an object with role and text")
    role, text = item.get("role"), item.get("text")
    if role not in ROLES:
        raise HistoryError(f"history[{n}].role must be one of {', '.join(ROLES)}, got {role!r}")
    if not isinstance(text, str):
        raise HistoryError(f"history[{n}].text must be a string")
    decision, faq_id = item.get("decision"), item.get("faq_id")
    if decision is not None and decision not in DECISIONS:
        raise HistoryError(f"history[{n}].decision must be one of {', '.join(DECISIONS)}, got {decision!r}")
    if faq_id is not None and not isinstance(faq_id, str):
        raise HistoryError(f"history[{n}].faq_id must be a string")
    return Turn(str(role), sanitize(text)[:MAX_CHARS], decision, faq_id)


@dataclass(frozen=True)
class Context:
    """What the latest turns say about the message being judged."""

    customer_texts: tuple[str, ...]  # earlier customer messages, oldest first
    last_bot: Turn | None  # the bot's reply to the previous customer message, if any
    clarified_before: bool  # the bot already asked which topic was meant

    @property
    def previous_customer(self) -> str | None:
        return self.customer_texts[-1] if self.customer_texts else None


def context_of(history: Sequence[Turn]) -> Context:
    recent = [t for t in history[-LOOKBACK_TURNS:] if t.text.strip()]
    customers = tuple(prepared(t.text) for t in recent if t.role == CUSTOMER)
    bots = [t for t in recent if t.role == BOT]
    last = recent[-1] if recent and recent[-1].role == BOT else None
    return Context(customers, last, any(t.decision == "clarify" for t in bots))
