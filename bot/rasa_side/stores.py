"""Rasa tracker store for this product (runs inside the Rasa server, Python 3.10).

``endpoints.yml`` names it as ``type: bot.rasa_side.stores.RedisTrackerStore``. A conversation is an
append-only Redis list of events (``bot:events:<id>``) instead of Rasa's one JSON blob:

- ``save`` appends only the events that are new since the tracker was read, and in the
  same transaction appends them to the event stream ``bot:stream:events``, which the
  handoff service reads through consumer groups (live console, ticket transcripts). The
  stream and the conversations therefore never disagree, and no event broker is needed;
- ``retrieve`` gives Rasa a bounded window of the latest session: its last
  ``window_turns`` to ``2 * window_turns`` customer turns, preceded by the state the
  conversation had where the window begins (slots, a pause, an active loop) as a session
  start. Rasa rebuilds the tracker from its events, featurises the history for its
  policies and sends every event to the action server on each message, so a tracker that
  grows with the conversation makes every message slower (turn 200 took 3.8 times as
  long as turn 1, ``make bench``). The window keeps that cost flat; the state is exact,
  because the stored state is computed where the window begins (``_window_state``);
- nothing is dropped: the list keeps every event, ``retrieve_full_tracker`` (``rasa
  export``) returns them all, and ticket transcripts read the list;
- one Lua script reads a tracker, one pipeline and one transaction save it (Rasa's own
  Redis store deserialised the whole conversation three times per message);
- ``keys`` lists conversation ids without the prefix, so ``rasa export`` finds them;
- a server started as plain ``rasa run`` gets the patches (``bot.rasa_side.patches``) when
  the store is created, with a warning; ``python -m bot.rasa_side run`` installs them first.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    ConversationPaused,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.core.keys import TRACKER_PREFIX, TrackerKeys
from bot.core.redis_clients import async_client, replicated_write
from bot.core.redis_config import REPLICATION_OPTIONS, RedisConfig
from bot.rasa_side import patches
from bot.rasa_side.retry import with_retries

logger = logging.getLogger(__name__)

SESSION_START = "action_session_start"
LISTEN = "action_listen"
# The stream is for live consumers; older entries are trimmed (the tracker keeps everything).
STREAM_MAX_ENTRIES = 1_000_000
# Customer turns Rasa sees at least; the window moves on once it holds twice as many.
WINDOW_TURNS = 10
WINDOW_KEY = "bot_window"  # metadata of the first event of a windowed tracker
# set on each tracker ``retrieve`` makes: where its stored events begin, its prefix's length
BASE_ATTRIBUTE = "_bot_stored_base"

# KEYS: events list, session index, window hash. Returns {from, state or nil, events}:
# the events from the latest session's start, or from the window's start when that is later.
_READ = """
local session = tonumber(redis.call('GET', KEYS[2]) or '0')
local window = redis.call('HMGET', KEYS[3], 'start', 'state')
local from, state = session, false
if window[1] and tonumber(window[1]) > session then from, state = tonumber(window[1]), window[2] end
return {from, state, redis.call('LRANGE', KEYS[1], from, -1)}
"""


def _session_start_index(events: Sequence[dict[str, Any]], offset: int, current: int) -> int:
    """Index of the last ``action_session_start`` among ``events`` (which begin at ``offset``)."""
    for i in range(len(events) - 1, -1, -1):
        if events[i].get("event") == ActionExecuted.type_name and events[i].get("name") == SESSION_START:
            return offset + i
    return current


def _is_session_start(event: Event) -> bool:
    return isinstance(event, ActionExecuted) and event.action_name == SESSION_START


def window_start(events: Sequence[Event], turns: int) -> int | None:
    """Where a window of the last ``turns`` customer turns of ``events`` begins: the
    ``action_listen`` before the ``turns``-th last customer message (or that message). None
    when the latest session of ``events`` holds fewer than ``2 * turns`` customer turns."""
    users: list[int] = []
    for i in range(len(events) - 1, -1, -1):
        if _is_session_start(events[i]):
            break
        if isinstance(events[i], UserUttered):
            users.append(i)
    if len(users) < 2 * turns:
        return None
    start = users[turns - 1]
    before = events[start - 1]
    if isinstance(before, ActionExecuted) and before.action_name == LISTEN:
        return start - 1
    return start


def state_events(tracker: DialogueStateTracker, timestamp: float, start: int) -> list[Event]:
    """Events that give a new tracker ``tracker``'s state: a session start, then its slots
    (those not at their initial value), its active loop and its pause. The first carries
    where the window begins in the stored list and how many events this prefix has."""
    slots = [SlotSet(name, slot.value, timestamp=timestamp) for name, slot in tracker.slots.items()
             if slot.value != slot.initial_value]
    loop = [ActiveLoop(tracker.active_loop_name, timestamp=timestamp)] if tracker.active_loop_name else []
    paused = [ConversationPaused(timestamp=timestamp)] if tracker.is_paused() else []
    count = 2 + len(slots) + len(loop) + len(paused)
    head = ActionExecuted(SESSION_START, timestamp=timestamp,
                          metadata={WINDOW_KEY: {"start": start, "prefix": count}})
    return [head, SessionStarted(timestamp=timestamp), *slots, *loop, *paused]


class RedisTrackerStore(TrackerStore):
    def __init__(self, domain: Any, host: str = "localhost", port: int | str = 6379, db: int | str = 0,
                 password: str | None = None, event_broker: Any = None, record_exp: float | str | None = None,
                 key_prefix: str = TRACKER_PREFIX, stream: str | None = None, window_turns: int | str = WINDOW_TURNS,
                 username: str | None = None, use_ssl: bool | str = False, ssl_ca_certs: str | None = None,
                 ssl_certfile: str | None = None, ssl_keyfile: str | None = None, **kwargs: Any) -> None:
        replication = {key: kwargs.pop(key, None) for key in REPLICATION_OPTIONS}
        connection = RedisConfig.from_options(
            {"host": host, "port": port, "db": db, "username": username, "password": password, "use_ssl": use_ssl,
             "ssl_ca_certs": ssl_ca_certs, "ssl_certfile": ssl_certfile, "ssl_keyfile": ssl_keyfile, **replication},
            where="tracker_store (endpoints.yml)")
        self.connection = connection  # what /ready names when Redis does not answer
        self.red = async_client(connection, decode_responses=True, socket_timeout=10)
        self._replicas = connection.replicas_to_wait
        self.record_exp = int(float(record_exp)) if record_exp else None
        self.key_names = TrackerKeys(key_prefix)
        self.stream = stream or self.key_names.stream
        self.window_turns = int(window_turns)
        if self.window_turns < 1:
            raise ValueError(f"window_turns must be at least 1, got {window_turns!r}")
        self._read = self.red.register_script(_READ)
        super().__init__(domain, event_broker, **kwargs)
        patches.require()

    async def _base(self, tracker: DialogueStateTracker, stored: int, session_start: int) -> tuple[int, int]:
        """(where ``tracker``'s stored events begin in the list, how many events come before them).

        Known for the trackers ``retrieve`` made; otherwise read from a window's first event,
        or found by matching the first event at the session's start or at 0 (a full tracker)."""
        known = getattr(tracker, BASE_ATTRIBUTE, None)
        if known is not None:
            return int(known[0]), int(known[1])
        if not tracker.events or stored == 0:
            return 0, 0
        first = tracker.events[0]
        window = (first.metadata or {}).get(WINDOW_KEY) if isinstance(first, ActionExecuted) else None
        if window:
            return int(window["start"]), int(window["prefix"])
        wanted = json.dumps(first.as_dict(), sort_keys=True)
        for candidate in (session_start, 0):
            raw = await self.red.lindex(self.key_names.events(tracker.sender_id), candidate)
            if raw is not None and json.dumps(json.loads(raw), sort_keys=True) == wanted:
                return candidate, 0
        raise ValueError(f"conversation {tracker.sender_id}: the tracker does not start at a stored session")

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Append the new events; a Redis that is briefly away (a restart) is waited for."""
        await with_retries(lambda: self._save(tracker), f"saving {tracker.sender_id}")

    async def _save(self, tracker: DialogueStateTracker) -> None:
        sender_id = tracker.sender_id
        key = self.key_names.events(sender_id)
        async with self.red.pipeline(transaction=False) as pipe:
            pipe.llen(key)
            pipe.get(self.key_names.session(sender_id))
            stored, session_raw = await pipe.execute()
        stored, session_start = int(stored), int(session_raw or 0)
        base, prefix = await self._base(tracker, stored, session_start)
        events = list(tracker.events)
        new = [e.as_dict() for e in events[prefix + stored - base:]]
        if not new:
            return
        window = self._next_window(tracker, events, base, prefix)
        async with self.red.pipeline(transaction=True) as pipe:
            pipe.rpush(key, *[json.dumps(e) for e in new])
            start = _session_start_index(new, stored, session_start)
            if start != session_start:
                pipe.set(self.key_names.session(sender_id), start)
            if window is not None:
                pipe.hset(self.key_names.window(sender_id), mapping=window)  # type: ignore[arg-type]  # redis-py: invariant key type
            for event in new:
                pipe.xadd(self.stream, {"sender_id": sender_id, "event": json.dumps(event)},
                          maxlen=STREAM_MAX_ENTRIES, approximate=True)
            if self.record_exp:
                for name in (key, self.key_names.session(sender_id), self.key_names.window(sender_id)):
                    pipe.expire(name, self.record_exp)
            await pipe.execute()
        # acknowledged (to the customer, to Rasa) only once a replica holds it; a failover in between
        # makes with_retries save again, and the new master's own count decides what is still new
        await replicated_write(self.red, self._replicas)
        if self.event_broker is not None:
            for event in new:
                self.event_broker.publish({"sender_id": sender_id, **event})

    def _next_window(self, tracker: DialogueStateTracker, events: list[Event], base: int,
                     prefix: int) -> dict[str, str | int] | None:
        """The window the next ``retrieve`` should start at, with the state there, once the
        latest session holds ``2 * window_turns`` customer turns; else None (unchanged)."""
        local = window_start(events, self.window_turns)
        if local is None or local <= prefix:
            return None
        start = base + local - prefix
        before = DialogueStateTracker.from_events(tracker.sender_id, events[:local], self.domain.slots)
        state = state_events(before, events[local].timestamp, start)
        return {"start": start, "state": json.dumps([e.as_dict() for e in state])}

    async def _tracker(self, sender_id: str, full: bool) -> DialogueStateTracker | None:
        if full:
            base, state, raw = 0, None, await self.red.lrange(self.key_names.events(sender_id), 0, -1)
        else:
            names = self.key_names
            keys = [names.events(sender_id), names.session(sender_id), names.window(sender_id)]
            reply = await self._read(keys=keys)
            base, state, raw = int(reply[0]), reply[1], reply[2]
        if not raw:
            return None
        prefix = json.loads(state) if state else []
        tracker = DialogueStateTracker.from_dict(sender_id, prefix + [json.loads(r) for r in raw],
                                                 self.domain.slots)
        setattr(tracker, BASE_ATTRIBUTE, (base, len(prefix)))  # trackers are unhashable: no weak map
        return tracker

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The latest session of the conversation, at most its last ``2 * window_turns``
        customer turns, with the state it had before them (what Rasa's policies need)."""
        return await with_retries(lambda: self._tracker(sender_id, full=False), f"reading {sender_id}")

    async def retrieve_full_tracker(self, sender_id: str) -> DialogueStateTracker | None:
        return await with_retries(lambda: self._tracker(sender_id, full=True), f"reading {sender_id}")

    async def keys(self) -> Iterable[str]:
        prefix = self.key_names.events("")
        return [key[len(prefix):] async for key in self.red.scan_iter(match=prefix + "*")]
