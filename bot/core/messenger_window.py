"""Messenger's messaging windows, as Meta states them, for the Rasa channel and the handoff service.

Inside 24 hours of the customer's last message a page may send anything (``RESPONSE``). From
24 hours to 7 days only a person's reply may be sent, tagged ``HUMAN_AGENT`` (the tag needs
Meta's approval of the app); the bot's automated messages may not. After 7 days nothing may be
sent until the customer writes again. The time of the customer's last message is the Redis key
``MessengerKeys.last_in``.
"""

from __future__ import annotations

from enum import Enum

STANDARD_WINDOW_SECONDS = 24 * 3600
HUMAN_AGENT_WINDOW_SECONDS = 7 * 24 * 3600


class Window(str, Enum):
    STANDARD = "standard"  # anything, as RESPONSE
    HUMAN_AGENT = "human_agent"  # a person's reply only, tagged HUMAN_AGENT
    CLOSED = "closed"  # nothing


def window(last_customer_message_at: float | None, now: float) -> Window:
    """The window at ``now``. An unknown last-message time counts as inside the standard window:
    the bot only ever answers a message it has just received."""
    if last_customer_message_at is None or now - last_customer_message_at <= STANDARD_WINDOW_SECONDS:
        return Window.STANDARD
    if now - last_customer_message_at <= HUMAN_AGENT_WINDOW_SECONDS:
        return Window.HUMAN_AGENT
    return Window.CLOSED


def closed_reason(last_customer_message_at: float, now: float) -> str:
    """Why nothing may be sent, for the failed-sends stream and the console."""
    days = (now - last_customer_message_at) / 86400
    return (f"Messenger's 7-day window for a person's reply has closed: the customer last wrote {days:.1f} days ago; "
            "nothing can be sent until they write again")
