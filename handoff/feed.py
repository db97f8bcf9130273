"""Reading Rasa's event stream (``bot:stream:events``, written by the tracker store).

Every customer message, bot message and pause of every conversation arrives here in
order. The handoff service counts conversations (for the handoff rate) and tells the
console live when a conversation with an open ticket moves. Replicas share the consumer
group, so each event is counted and published once, and pub/sub reaches every replica's
consoles. Nothing is copied: the
transcript is read from the conversation itself, so a message that arrived while this
service was down is in the ticket anyway, and the consumer group catches up on restart.
"""

from __future__ import annotations

import json
import time
from typing import Any

from redis.asyncio import Redis

from bot.core import keys
from bot.core.text import as_str
from handoff import clock
from handoff.sla import mark_waiting


class EventFeed:
    def __init__(self, client: Redis) -> None:
        self.redis: Any = client

    async def __call__(self, entry_id: str, fields: dict[str, str]) -> None:
        conversation_id = fields.get("sender_id", "")
        event = json.loads(fields.get("event") or "{}")
        kind = event.get("event")
        if kind == "user":
            await self.redis.pfadd(keys.CONVERSATIONS, conversation_id)
        if kind not in ("user", "bot"):
            return
        # replicas handle a conversation's events in parallel: an older one must not move the time back
        await self.redis.zadd(keys.ACTIVITY, {conversation_id: float(event.get("timestamp") or time.time())}, gt=True)
        ticket_id = await self.redis.get(keys.owner_of_conversation(conversation_id))
        if ticket_id:
            if kind == "user":  # the customer waits for a person from now, unless already waiting
                waiting_since = clock.at(float(event.get("timestamp") or time.time()))  # Rasa's wall clock
                await mark_waiting(self.redis, as_str(ticket_id), waiting_since)
            role = "customer" if kind == "user" else "bot"
            await self.redis.publish(keys.LIVE, json.dumps({"ticket": as_str(ticket_id), "action": "message",
                                                            "role": role}))

