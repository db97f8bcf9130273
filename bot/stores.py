"""Rasa tracker store for this product (runs inside the Rasa server, Python 3.10).

``endpoints.yml`` names it as ``type: bot.stores.RedisTrackerStore``. A conversation is an
append-only Redis list of events (``bot:events:<id>``) instead of Rasa's one JSON blob:

- ``save`` appends only the events that are new since the tracker was read, and in the
  same transaction appends them to the event stream ``bot:stream:events``, which the
  handoff service reads through consumer groups (live console, ticket transcripts). The
  stream and the conversations therefore never disagree, and no event broker is needed;
- ``retrieve`` reads from the start of the latest session (its index is kept beside the
  list), so an old conversation's earlier sessions cost nothing per message. Rasa's own
  Redis store deserialised the whole conversation three times per message;
- ``keys`` lists conversation ids without the prefix, so ``rasa export`` finds them;
- creating it installs the per-message fixes in ``bot.rasa_patches``.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterable
from typing import Any

import redis
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker

from bot import rasa_patches

logger = logging.getLogger(__name__)

SESSION_START = "action_session_start"
# The stream is for live consumers; older entries are trimmed (the tracker keeps everything).
STREAM_MAX_ENTRIES = 1_000_000
# A save waits this long for Redis to come back (a restart takes well under a second).
SAVE_ATTEMPTS, SAVE_RETRY_SECONDS = 20, 0.25


def _session_start_index(events: list[dict[str, Any]], offset: int, current: int) -> int:
    """Index of the last ``action_session_start`` among ``events`` (which begin at ``offset``)."""
    for i in range(len(events) - 1, -1, -1):
        if events[i].get("event") == ActionExecuted.type_name and events[i].get("name") == SESSION_START:
            return offset + i
    return current


class RedisTrackerStore(TrackerStore):
    def __init__(self, domain: Any, host: str = "localhost", port: int | str = 6379, db: int | str = 0,
                 password: str | None = None, event_broker: Any = None, record_exp: float | str | None = None,
                 key_prefix: str = "bot", stream: str | None = None, **kwargs: Any) -> None:
        self.red = redis.StrictRedis(host=host, port=int(port), db=int(db), password=password or None,
                                     decode_responses=True, socket_timeout=10)
        self.record_exp = int(float(record_exp)) if record_exp else None
        self.prefix = key_prefix
        self.stream = stream or f"{key_prefix}:stream:events"
        super().__init__(domain, event_broker, **kwargs)
        rasa_patches.install()

    def _events_key(self, sender_id: str) -> str:
        return f"{self.prefix}:events:{sender_id}"

    def _session_key(self, sender_id: str) -> str:
        return f"{self.prefix}:session:{sender_id}"

    def _offset(self, tracker: DialogueStateTracker, stored: int, session_start: int) -> int:
        """Where in the stored list ``tracker``'s first event is: the latest session's start
        (how ``retrieve`` reads it), or 0 (a full tracker, or a new conversation)."""
        if not tracker.events or stored == 0:
            return 0
        first = json.dumps(tracker.events[0].as_dict(), sort_keys=True)
        for candidate in (session_start, 0):
            raw = self.red.lindex(self._events_key(tracker.sender_id), candidate)
            if raw is not None and json.dumps(json.loads(raw), sort_keys=True) == first:
                return candidate
        raise ValueError(f"conversation {tracker.sender_id}: the tracker does not start at a stored session")

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Append the new events; a Redis that is briefly away (a restart) is waited for."""
        for attempt in range(SAVE_ATTEMPTS):
            try:
                return self._save(tracker)
            except (redis.ConnectionError, redis.TimeoutError):
                if attempt == SAVE_ATTEMPTS - 1:
                    raise
                logger.warning("Redis unavailable while saving %s; retrying", tracker.sender_id)
                await asyncio.sleep(SAVE_RETRY_SECONDS)

    def _save(self, tracker: DialogueStateTracker) -> None:
        sender_id = tracker.sender_id
        key = self._events_key(sender_id)
        stored = int(self.red.llen(key))
        session_start = int(self.red.get(self._session_key(sender_id)) or 0)
        offset = self._offset(tracker, stored, session_start)
        new = [e.as_dict() for e in list(tracker.events)[stored - offset:]]
        if not new:
            return
        pipe = self.red.pipeline(transaction=True)
        pipe.rpush(key, *[json.dumps(e) for e in new])
        start = _session_start_index(new, stored, session_start)
        if start != session_start:
            pipe.set(self._session_key(sender_id), start)
        for event in new:
            pipe.xadd(self.stream, {"sender_id": sender_id, "event": json.dumps(event)},
                      maxlen=STREAM_MAX_ENTRIES, approximate=True)
        if self.record_exp:
            pipe.expire(key, self.record_exp)
            pipe.expire(self._session_key(sender_id), self.record_exp)
        pipe.execute()
        if self.event_broker is not None:
            for event in new:
                self.event_broker.publish({"sender_id": sender_id, **event})

    def _tracker(self, sender_id: str, start: int) -> DialogueStateTracker | None:
        raw = self.red.lrange(self._events_key(sender_id), start, -1)
        if not raw:
            return None
        events = [json.loads(r) for r in raw]
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The latest session of the conversation (what Rasa's policies need)."""
        return self._tracker(sender_id, int(self.red.get(self._session_key(sender_id)) or 0))

    async def retrieve_full_tracker(self, sender_id: str) -> DialogueStateTracker | None:
        return self._tracker(sender_id, 0)

    async def keys(self) -> Iterable[str]:
        prefix = self._events_key("")
        return [key[len(prefix):] for key in self.red.scan_iter(match=prefix + "*")]
