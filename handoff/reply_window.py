"""Whether a moderator's reply can still reach a Messenger customer (Meta's windows).

After 7 days since the customer's last message nothing may be sent on Messenger
(``bot.core.messenger_window``), so the console refuses such a reply up front (409) instead of
accepting a reply that the channel could only record as failed. The time of the customer's last
message is the Messenger channel's ``last_in`` key.
"""

from __future__ import annotations

import time
from typing import Any

from bot.core.conversation_ids import MESSENGER_PREFIX
from bot.core.keys import MessengerKeys
from bot.core.messenger_window import HUMAN_AGENT_WINDOW_SECONDS, Window, closed_reason, window
from handoff.errors import Conflict
from handoff.models import Ticket


async def last_customer_message(redis: Any, conversation_id: str, messenger: MessengerKeys) -> float | None:
    """When a Messenger customer last wrote; None for other channels or when unknown."""
    if not conversation_id.startswith(MESSENGER_PREFIX):
        return None
    raw = await redis.get(messenger.last_in(conversation_id[len(MESSENGER_PREFIX):]))
    try:
        return float(raw) if raw is not None else None
    except ValueError:
        return None


async def reply_window(redis: Any, ticket: Ticket, messenger: MessengerKeys | None = None,
                       now: float | None = None) -> dict[str, Any] | None:
    """What the console shows above a Messenger ticket's reply box: the window now (``standard``,
    ``human_agent``: a person's reply goes out tagged HUMAN_AGENT; ``closed``: nothing can be sent)
    and when the customer last wrote; None for other channels or when unknown."""
    now = time.time() if now is None else now
    last = await last_customer_message(redis, ticket.conversation_id, messenger or MessengerKeys())
    if last is None:
        return None
    return {"state": window(last, now).value, "customer_wrote_at": last,
            "human_agent_until": last + HUMAN_AGENT_WINDOW_SECONDS}


async def check_reply_window(redis: Any, ticket: Ticket, messenger: MessengerKeys | None = None,
                             now: float | None = None) -> None:
    """Conflict (409) naming the window when a reply can no longer be sent to the customer."""
    now = time.time() if now is None else now
    last = await last_customer_message(redis, ticket.conversation_id, messenger or MessengerKeys())
    if last is not None and window(last, now) is Window.CLOSED:
        raise Conflict(f"ticket {ticket.id}: {closed_reason(last, now)}")
