"""Messenger's durable inbox in Redis: accepted events wait in a stream until processed.

The webhook is acknowledged only after its events are in the stream, and an entry is
deleted only after Rasa has handled it, so neither a crash of the Rasa server nor a
Messenger retry loses or doubles a customer message:

- ``accept`` stores each event once: a ``seen`` key per message id (kept a week, longer
  than Messenger retries) and the stream entry are written together by one script;
- ``take`` hands out entries through a consumer group; entries another consumer took and
  did not finish within ``CLAIM_IDLE_MS`` are claimed again (``XAUTOCLAIM``), and a
  restarted consumer first re-reads what it had taken before it stopped;
- ``done`` acknowledges and deletes; ``dead`` moves an entry that failed to a dead-letter
  stream for a person to look at;
- ``turn`` keeps each conversation in order when several Rasa servers share the inbox: an
  entry is handled only when it is its conversation's oldest unfinished one (``bot.core.turns``).

It uses redis-py's asyncio client only (redis 4.6 inside Rasa, 5+ elsewhere).
"""

from __future__ import annotations

import json
import time
from typing import Any

from bot.core import turns
from bot.core.keys import MESSENGER_PREFIX, TRACKER_PREFIX, MessengerKeys, TrackerKeys
from bot.core.text import as_str
from bot.rasa_side.channels.messenger_protocol import Inbound

SEEN_SECONDS = 7 * 24 * 3600
CLAIM_IDLE_MS = 60_000
GROUP = "rasa"
# How far back in a conversation a message is looked for before it is handled again.
STORED_LOOKBACK = 200

# KEYS: the stream, then each event's seen key, then each event's order list; ARGV: ttl, events.
_ACCEPT = """
local n = (#KEYS - 1) / 2
local added = 0
for i = 1, n do
  if redis.call('SET', KEYS[1 + i], '1', 'NX', 'EX', ARGV[1]) then
    local id = redis.call('XADD', KEYS[1], '*', 'event', ARGV[1 + i])
    redis.call('RPUSH', KEYS[1 + n + i], id)
    redis.call('EXPIRE', KEYS[1 + n + i], ARGV[1])
    added = added + 1
  end
end
return added
"""


class MessengerInbox:
    def __init__(self, client: Any, prefix: str = MESSENGER_PREFIX, claim_idle_ms: int = CLAIM_IDLE_MS,
                 tracker_prefix: str = TRACKER_PREFIX) -> None:
        self._redis = client
        self._claim_idle_ms = claim_idle_ms
        self._keys = MessengerKeys(prefix)
        self._tracker = TrackerKeys(tracker_prefix)
        self.stream = self._keys.inbox
        self.dead_stream = self._keys.dead
        self.failed_sends = self._keys.failed_sends
        self._group_ready = False
        self._accept = client.register_script(_ACCEPT)

    def order_key(self, event: Inbound) -> str:
        """The unfinished entry ids of the event's conversation, oldest first (``Inbound.order_id``)."""
        return self._keys.order(event.order_id)

    async def accept(self, events: list[Inbound]) -> int:
        """Store events not seen before; returns how many were new."""
        if not events:
            return 0
        keys = ([self.stream] + [self._keys.seen(e.event_id) for e in events]
                + [self.order_key(e) for e in events])
        args = [SEEN_SECONDS] + [e.to_json() for e in events]
        return int(await self._accept(keys=keys, args=args))

    async def turn(self, entry_id: str, event: Inbound) -> bool:
        """Whether no earlier message of this conversation is still waiting or being handled."""
        return await turns.my_turn(self._redis, self.stream, self.order_key(event), entry_id)

    def forget_group(self) -> None:
        self._group_ready = False

    async def _ensure_group(self) -> None:
        if self._group_ready:
            return
        try:
            await self._redis.xgroup_create(self.stream, GROUP, id="0", mkstream=True)
        except Exception as e:  # BUSYGROUP: it exists already
            if "BUSYGROUP" not in str(e):
                raise
        self._group_ready = True

    async def take(self, consumer: str, count: int = 10, block_ms: int = 1000,
                   own_pending: bool = False) -> list[tuple[str, Inbound]]:
        """Entries to process: this consumer's unfinished ones when ``own_pending``, else
        stale ones of other consumers, else new ones (waiting up to ``block_ms``)."""
        await self._ensure_group()
        if own_pending:
            reply = await self._redis.xreadgroup(GROUP, consumer, {self.stream: "0"}, count=count)
            return self._entries(reply)
        claimed = await self._redis.xautoclaim(self.stream, GROUP, consumer, self._claim_idle_ms, "0-0", count=count)
        entries = [(as_str(i), Inbound.from_json(as_str(f[_key(f, "event")]))) for i, f in claimed[1] if f]
        if entries:
            return entries
        reply = await self._redis.xreadgroup(GROUP, consumer, {self.stream: ">"}, count=count, block=block_ms)
        return self._entries(reply)

    @staticmethod
    def _entries(reply: Any) -> list[tuple[str, Inbound]]:
        out: list[tuple[str, Inbound]] = []
        for _stream, items in reply or []:
            for entry_id, fields in items:
                if fields:
                    out.append((as_str(entry_id), Inbound.from_json(as_str(fields[_key(fields, "event")]))))
        return out

    async def done(self, entry_id: str, event: Inbound) -> None:
        pipe = self._redis.pipeline(transaction=True)
        pipe.xack(self.stream, GROUP, entry_id)
        pipe.xdel(self.stream, entry_id)
        turns.forget(pipe, self.order_key(event), entry_id)
        await pipe.execute()

    async def dead(self, entry_id: str, event: Inbound, error: str) -> None:
        pipe = self._redis.pipeline(transaction=True)
        pipe.xadd(self.dead_stream, {"event": event.to_json(), "error": error[:2000], "at": str(time.time())})
        pipe.xack(self.stream, GROUP, entry_id)
        pipe.xdel(self.stream, entry_id)
        turns.forget(pipe, self.order_key(event), entry_id)
        await pipe.execute()

    async def stored(self, event: Inbound) -> bool:
        """Whether ``event`` is already in its conversation: a Rasa server stored it and died
        before marking the entry done. Rasa saves the customer's message with its replies at
        the end of a turn, after the replies were sent, so such an entry is finished."""
        raw = await self._redis.lrange(self._tracker.events(event.sender_id), -STORED_LOOKBACK, -1)
        for item in reversed(raw):
            stored = json.loads(item)
            if stored.get("event") == "user" and \
                    ((stored.get("metadata") or {}).get("messenger") or {}).get("mid") == event.event_id:
                return True
        return False

    async def waiting(self) -> int:
        return int(await self._redis.xlen(self.stream))

    async def note_customer_message(self, psid: str, at: float) -> None:
        await self._redis.set(self._keys.last_in(psid), repr(at), ex=8 * 24 * 3600)

    async def last_customer_message(self, psid: str) -> float | None:
        raw = await self._redis.get(self._keys.last_in(psid))
        return float(as_str(raw)) if raw is not None else None

    async def record_failed_send(self, psid: str, message: dict[str, Any], error: str) -> None:
        await self._redis.xadd(self.failed_sends, {
            "psid": psid, "message": json.dumps(message, ensure_ascii=False), "error": error[:2000],
            "at": str(time.time()),
        })



def _key(fields: dict[Any, Any], name: str) -> Any:
    return name if name in fields else name.encode()
