"""Run by the Rasa venv's Python (see test_tracker_store.py): bot.stores against Rasa 3.6 and a real Redis.

Prints one JSON object of named results; argv[1] is the Redis port."""

import asyncio
import json
import sys

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered

from bot.stores import RedisTrackerStore


async def main(port: int) -> dict[str, object]:
    store = RedisTrackerStore(Domain.empty(), host="127.0.0.1", port=port, key_prefix="t", record_exp="60")
    store.red.flushdb()
    sender = "web:conv"
    tracker = await store.get_or_create_tracker(sender)
    tracker.update(UserUttered("pierwsze pytanie"))
    tracker.update(BotUttered("pierwsza odpowiedź"))
    await store.save(tracker)
    await store.save(tracker)  # nothing new: nothing appended
    first_len = store.red.llen("t:events:web:conv")
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
    stream = [json.loads(f["event"]) for _, f in store.red.xrange("t:stream:events")]
    stored = [json.loads(e) for e in store.red.lrange("t:events:web:conv", 0, -1)]
    return {
        "first_len": first_len,
        "latest_texts": [e.text for e in latest.events if isinstance(e, UserUttered)],
        "full_texts": [e.text for e in full.events if isinstance(e, (UserUttered, BotUttered))],
        "latest_after": [e.text for e in latest_after.events if isinstance(e, (UserUttered, BotUttered))],
        "stream_equals_stored": stream == stored,
        "stored_count": len(stored),
        "keys": sorted(await store.keys()),
        "ttl_set": 0 < store.red.ttl("t:events:web:conv") <= 60,
    }


print(json.dumps(asyncio.run(main(int(sys.argv[1])))))
