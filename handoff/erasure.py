"""A customer's right to erasure: one conversation removed from Redis and from the archive files.

``Erasure.erase(conversation_id)`` removes, wherever the product keeps them: the Rasa tracker
(events, session, window, lock keys), the Messenger inbox's per-customer keys, the conversation's
tickets with their notes, queue, index and ``TOLD`` entries and their ``ho:history`` entries,
its entries in every stream (the event stream, the outbox, the Messenger inbox, failed sends,
the dead letters, the answer ratings and its tickets' ratings), its tickets' "rated" marks, its
archiving bookkeeping, and its archive lines, approved pairs and proposal references
(``handoff.archive_erasure``). It returns how many things went from each place and logs that with
a hash of the id, never content. An id never seen erases nothing (zero counts).

Streams are scanned whole, ``SCAN_BATCH`` entries a read: each is capped by length and age
(``handoff.retention``), so a scan is bounded. An entry written while the scan runs (the customer
writes again) is not erased: erasure is for conversations that have ended. Not erasable: the
``ho:conversations`` HyperLogLog (a count, it holds no ids) and the Messenger ``seen`` markers
(one per message id, no content, gone after a week).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from redis.asyncio import Redis

from bot.core import keys
from bot.core.conversation_ids import COMMENT_PREFIX, MESSENGER_PREFIX, check_conversation_id
from bot.core.text import as_str
from handoff.archive_erasure import erase_archived
from handoff.archive_owners import conversation_hash

logger = logging.getLogger(__name__)
SCAN_BATCH = 1000  # stream entries read per XRANGE while scanning

Match = Callable[[dict[str, str]], bool]


def _event_field(fields: dict[str, str], name: str) -> str:
    """A field of a Messenger inbox or dead-letter entry's ``event`` JSON ("" when absent)."""
    try:
        event = json.loads(fields.get("event", ""))
    except json.JSONDecodeError:
        return ""
    return str(event.get(name, "")) if isinstance(event, dict) else ""


def _event_psid(fields: dict[str, str]) -> str:
    """The customer of a Messenger inbox or dead-letter entry."""
    return _event_field(fields, "psid")


def _event_thread(fields: dict[str, str]) -> str:
    """The comment thread of a Messenger inbox or dead-letter entry ("" for a message)."""
    return _event_field(fields, "thread_id")


async def xdel_matching(client: Any, stream: str, match: Match, batch: int = SCAN_BATCH) -> int:
    """Delete the entries of ``stream`` whose fields ``match``; how many went."""
    removed, start = 0, "-"
    while True:
        entries = await client.xrange(stream, start, "+", count=batch)
        doomed = [as_str(i) for i, fields in entries if fields and match({as_str(k): as_str(v)
                                                                         for k, v in fields.items()})]
        if doomed:
            removed += int(await client.xdel(stream, *doomed))
        if len(entries) < batch:
            return removed
        start = "(" + as_str(entries[-1][0])


class Erasure:
    def __init__(self, client: Redis, tracker: keys.TrackerKeys, messenger: keys.MessengerKeys,
                 archive_dir: Path, approved_dir: Path, proposals: Path) -> None:
        self.redis: Any = client
        self.tracker, self.messenger = tracker, messenger
        self.archive_dir, self.approved_dir, self.proposals = archive_dir, approved_dir, proposals

    async def erase(self, conversation_id: str) -> dict[str, int]:
        """Counts per place; ValueError naming the id if it is not a conversation id."""
        check_conversation_id(conversation_id)
        counts: Counter[str] = Counter()
        record_ids = await self._archive_bookkeeping(conversation_id, counts)
        tickets = await self._tickets(conversation_id, counts)
        await self._streams(conversation_id, set(tickets), counts)
        counts["keys"] += await self._keys(conversation_id)
        counts.update(await asyncio.to_thread(erase_archived, self.archive_dir, self.approved_dir, self.proposals,
                                              conversation_id, record_ids))
        summary = {place: counts[place] for place in sorted(counts)}
        logger.info("erased conversation %s: %s", conversation_hash(conversation_id)[:16],
                    ", ".join(f"{place} {n}" for place, n in summary.items()))
        return summary

    async def _archive_bookkeeping(self, conversation_id: str, counts: Counter[str]) -> set[str]:
        """Forget the archiver's notes of the conversation; the record ids it had archived."""
        prefix = f"{conversation_id}:"
        fields = [as_str(f) async for f, _ in self.redis.hscan_iter(keys.ARCHIVE_IDS, match=prefix + "*")
                  if as_str(f)[len(prefix):].isdigit()]  # "<conversation>:<offset>", nothing longer
        record_ids = {as_str(r) for r in await self.redis.hmget(keys.ARCHIVE_IDS, fields)} if fields else set()
        if fields:
            await self.redis.hdel(keys.ARCHIVE_IDS, *fields)
        removed = await self.redis.zrem(keys.ACTIVITY, conversation_id)
        removed += await self.redis.hdel(keys.ARCHIVE_ATTEMPTS, conversation_id)
        removed += await self.redis.hdel(keys.ARCHIVE_FAILED, conversation_id)
        counts["archive_bookkeeping"] += len(fields) + int(removed)
        return record_ids

    async def _tickets(self, conversation_id: str, counts: Counter[str]) -> list[str]:
        ids = [as_str(t) for t in await self.redis.lrange(keys.conversation_tickets(conversation_id), 0, -1)]
        owner = await self.redis.get(keys.owner_of_conversation(conversation_id))
        if owner and as_str(owner) not in ids:
            ids.append(as_str(owner))
        for ticket_id in ids:
            client_key = await self.redis.hget(keys.ticket(ticket_id), "client_key")
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.delete(keys.ticket(ticket_id), keys.notes(ticket_id))
                if client_key:
                    pipe.srem(keys.open_from_ip(as_str(client_key)), ticket_id)
                pipe.zrem(keys.QUEUE, ticket_id)
                pipe.zrem(keys.OVERFLOW, ticket_id)
                pipe.zrem(keys.ALL, ticket_id)
                pipe.srem(keys.OPEN, ticket_id)
                pipe.hdel(keys.TOLD, ticket_id)
                pipe.delete(keys.rated(ticket_id))
                done = await pipe.execute()
            counts["tickets"] += 1 if done[0] else 0
            counts["notes"] += 1 if done[0] == 2 else 0
        if ids:
            await self.redis.publish(keys.LIVE, json.dumps({"ticket": ids[-1], "action": "erased"}))
        return ids

    async def _streams(self, conversation_id: str, tickets: set[str], counts: Counter[str]) -> None:
        def by_sender(f: dict[str, str]) -> bool:
            return f.get("sender_id") == conversation_id

        def by_conversation(f: dict[str, str]) -> bool:
            return f.get("conversation_id") == conversation_id

        events = self.tracker.stream
        plan: list[tuple[str, str, Match]] = [
            ("event_stream", events, by_sender), ("dead_letters", f"{events}:dead", by_sender),
            ("outbox", keys.OUTBOX, by_conversation), ("dead_letters", f"{keys.OUTBOX}:dead", by_conversation),
            ("answer_ratings", self.tracker.answer_ratings, lambda f: f.get("conversation") == conversation_id),
        ]
        if tickets:
            plan.append(("history", keys.HISTORY, lambda f: f.get("ticket") in tickets))
            plan.append(("ratings", keys.RATINGS, lambda f: f.get("ticket") in tickets))
        if conversation_id.startswith(MESSENGER_PREFIX):
            psid = conversation_id[len(MESSENGER_PREFIX):]
            plan += [("messenger_inbox", self.messenger.inbox, lambda f: _event_psid(f) == psid),
                     ("dead_letters", self.messenger.dead, lambda f: _event_psid(f) == psid),
                     ("failed_sends", self.messenger.failed_sends, lambda f: f.get("psid") == psid)]
        if conversation_id.startswith(COMMENT_PREFIX):  # its comments' events name the thread, not the commenter
            thread = conversation_id[len(COMMENT_PREFIX):]
            plan += [("messenger_inbox", self.messenger.inbox, lambda f: _event_thread(f) == thread),
                     ("dead_letters", self.messenger.dead, lambda f: _event_thread(f) == thread),
                     ("failed_sends", self.messenger.failed_sends, lambda f: f.get("psid") == conversation_id)]
        for place, stream, match in plan:
            counts[place] += await xdel_matching(self.redis, stream, match)

    async def _keys(self, conversation_id: str) -> int:
        names = [self.tracker.events(conversation_id), self.tracker.session(conversation_id),
                 self.tracker.window(conversation_id), *self.tracker.lock(conversation_id),
                 self.tracker.answers_rated(conversation_id),
                 keys.owner_of_conversation(conversation_id), keys.conversation_tickets(conversation_id),
                 keys.outbox_order(conversation_id), keys.archiving(conversation_id),
                 keys.archived_offset(conversation_id)]
        if conversation_id.startswith(MESSENGER_PREFIX):
            psid = conversation_id[len(MESSENGER_PREFIX):]
            names += [self.messenger.order(psid), self.messenger.last_in(psid), self.messenger.profile(psid)]
        if conversation_id.startswith(COMMENT_PREFIX):
            names += [self.messenger.order(conversation_id), self.messenger.comment_told(conversation_id)]
        return int(await self.redis.delete(*names))
