"""Run by the Rasa venv's Python (see test_tracker_store.py): bot.rasa_side.stores against Rasa 3.6 and a real Redis.

Prints one JSON object of named results; argv[1] is the Redis URL (password, TLS: ops.processes.RedisServer.url)."""

import asyncio
import json
import os
import sys

import redis
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    SessionStarted,
    SlotSet,
    UserUttered,
)

from bot.core.redis_clients import sync_client
from bot.core.redis_config import RedisConfig
from bot.rasa_side.stores import RedisTrackerStore

DOMAIN = Domain.from_dict({"slots": {"lang": {"type": "text", "mappings": [{"type": "custom"}]},
                                     "order": {"type": "text", "mappings": [{"type": "custom"}]}}})


def texts(tracker, kinds=(UserUttered, BotUttered)):
    return [e.text for e in tracker.events if isinstance(e, kinds)]


async def sessions(store: RedisTrackerStore, red: redis.Redis) -> dict[str, object]:
    sender = "web:conv"
    tracker = await store.get_or_create_tracker(sender)
    tracker.update(UserUttered("pierwsze pytanie"))
    tracker.update(BotUttered("pierwsza odpowiedź"))
    await store.save(tracker)
    await store.save(tracker)  # nothing new: nothing appended
    first_len = red.llen("t:events:web:conv")
    again = await store.retrieve(sender)
    for event in (ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
                  UserUttered("drugie pytanie")):
        again.update(event)
    await store.save(again)
    latest = await store.retrieve(sender)
    full = await store.retrieve_full_tracker(sender)
    full.update(BotUttered("druga odpowiedź"))
    await store.save(full)  # a full tracker saved: only its new event is appended
    latest_after = await store.retrieve(sender)
    stream = [json.loads(f["event"]) for _, f in red.xrange("t:stream:events")]
    stored = [json.loads(e) for e in red.lrange("t:events:web:conv", 0, -1)]
    return {
        "first_len": first_len,
        "latest_texts": texts(latest, UserUttered),
        "full_texts": texts(full),
        "latest_after": texts(latest_after),
        "stream_equals_stored": stream == stored,
        "stored_count": len(stored),
        "keys": sorted(await store.keys()),
        "ttl_set": 0 < red.ttl("t:events:web:conv") <= 60,
    }


async def long_conversation(store: RedisTrackerStore, red: redis.Redis) -> dict[str, object]:
    """45 turns with a window of 5: the tracker stays short, its state exact, nothing is lost."""
    sender = "messenger:long"
    turns, sizes, users_seen = 45, [], []
    for n in range(turns):
        tracker = await store.get_or_create_tracker(sender)
        sizes.append(len(tracker.events))
        users_seen.append(len([e for e in tracker.events if isinstance(e, UserUttered)]))
        tracker.update(ActionExecuted("action_listen"))
        tracker.update(UserUttered(f"pytanie {n}"))
        tracker.update(ActionExecuted("action_answer"))
        tracker.update(BotUttered(f"odpowiedź {n}"))
        if n == 2:
            tracker.update(SlotSet("lang", "pl"))
        if n == 7:
            tracker.update(SlotSet("order", "PL-123"))
        if n == 30:
            tracker.update(ConversationPaused())
        await store.save(tracker)
    windowed = await store.retrieve(sender)
    full = await store.retrieve_full_tracker(sender)
    # a copy of a windowed tracker (Rasa may rebuild one) still saves in the right place
    copy = windowed.__class__.from_dict(sender, [e.as_dict() for e in windowed.events], DOMAIN.slots)
    copy.update(ConversationResumed())
    copy.update(UserUttered("po kopii"))
    await store.save(copy)
    stored = [json.loads(e) for e in red.lrange(f"t:events:{sender}", 0, -1)]
    stream = [json.loads(f["event"]) for _, f in red.xrange("t:stream:events") if f["sender_id"] == sender]
    after_copy = await store.retrieve(sender)
    return {
        "max_tracker_events": max(sizes), "last_tracker_events": sizes[-1],
        "max_users_seen": max(users_seen),
        "windowed_first_user": texts(windowed, UserUttered)[0],
        "windowed_last_user": texts(windowed, UserUttered)[-1],
        "windowed_slots": {"lang": windowed.get_slot("lang"), "order": windowed.get_slot("order")},
        "windowed_paused": windowed.is_paused(),
        "full_users": len(texts(full, UserUttered)),
        "full_slots": {"lang": full.get_slot("lang"), "order": full.get_slot("order")},
        "full_paused": full.is_paused(),
        "stored_users": [e["text"] for e in stored if e["event"] == "user"],
        "stored_count": len(stored), "stream_equals_stored": stream == stored,
        "synthetic_stored": sum(1 for e in stored if (e.get("metadata") or {}).get("bot_window")),
        "after_copy_paused": after_copy.is_paused(), "after_copy_last_user": texts(after_copy, UserUttered)[-1],
    }


async def main(url: str) -> dict[str, object]:
    config = RedisConfig.from_env({**os.environ, "REDIS_URL": url}, url)  # REDIS_SENTINELS too, when set
    red = sync_client(config, decode_responses=True)
    red.flushdb()
    # as endpoints.yml gives them (use_ssl, ssl_ca_certs… as strings)
    options = {k: str(v) for k, v in config.endpoint_options().items()}
    store = RedisTrackerStore(DOMAIN, **options, key_prefix="t", record_exp="60", window_turns=5)
    return {**await sessions(store, red), "long": await long_conversation(store, red)}


print(json.dumps(asyncio.run(main(sys.argv[1]))))
