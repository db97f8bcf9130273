"""Archiving finished conversations: redacted, appended to ``ARCHIVE_DIR/<YYYY-MM>.jsonl``.

A conversation is finished when nothing happened in it for ``idle_seconds`` and no ticket
is open. The event feed notes activity (``ho:activity``); this worker looks for idle
conversations, writes the events since the last archived one as a record (the format's
``conv-`` id is fixed per conversation stretch, so a retry after a crash appends the same
record again, which readers collapse), fsyncs the file, then remembers the offset. A
conversation that goes on later is archived again from where the last record ended. One that
keeps failing is set aside after a few passes (``keys.ARCHIVE_FAILED``) so the rest go on.

Every replica runs this worker: a conversation is archived by the replica that holds its
``ho:archiving:<id>`` key, and a record is appended with one ``write`` on a file opened for
appending, so records of two replicas never interleave in a shared file.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from pathlib import Path
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.core import keys
from bot.learning.archive_files import append_record
from handoff.archive_owners import note_owner
from handoff.archive_record import build_record
from handoff.background import pause
from handoff.models import Ticket
from handoff.process_metrics import beat, redis_error

logger = logging.getLogger(__name__)
FIRST_ID = 100_000  # live archive ids start above the demo archive's
BATCH = 50
ARCHIVING_SECONDS = 120  # a replica that died while archiving holds a conversation this long at most
ARCHIVE_ATTEMPTS = 5  # failed passes before a conversation is set aside (keys.ARCHIVE_FAILED)
# Deletes the key only if it still holds our token (it may have expired and been taken since).
RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"


def append_line(path: Path, record: dict[str, Any]) -> None:
    """Append the record in one fsynced write; the file 0600, its directory 0700."""
    append_record(path, record)


class Archiver:
    def __init__(self, client: Redis, directory: Path, idle_seconds: float,
                 tracker: keys.TrackerKeys | None = None) -> None:
        self.redis: Any = client
        self.tracker = tracker or keys.TrackerKeys()
        self.directory = directory
        self.idle_seconds = idle_seconds
        self._stopping = asyncio.Event()

    async def _tickets(self, conversation_id: str) -> list[Ticket]:
        ids = await self.redis.lrange(keys.conversation_tickets(conversation_id), 0, -1)
        tickets = []
        for ticket_id in ids:
            raw = await self.redis.hgetall(keys.ticket(ticket_id))
            if raw:
                tickets.append(Ticket.from_redis(raw))
        return tickets

    async def _record_id(self, conversation_id: str, offset: int) -> str:
        field = f"{conversation_id}:{offset}"
        known = await self.redis.hget(keys.ARCHIVE_IDS, field)
        if known:
            return str(known)
        await self.redis.setnx(keys.ARCHIVE_SEQ, FIRST_ID)
        record_id = f"conv-{int(await self.redis.incr(keys.ARCHIVE_SEQ)):06d}"
        if not await self.redis.hsetnx(keys.ARCHIVE_IDS, field, record_id):
            return str(await self.redis.hget(keys.ARCHIVE_IDS, field))
        return record_id

    async def archive(self, conversation_id: str) -> str | None:
        """Archive what is new in the conversation; the record id, or None if nothing was (or
        another replica is archiving it right now)."""
        token = secrets.token_hex(8)
        if not await self.redis.set(keys.archiving(conversation_id), token, nx=True, ex=ARCHIVING_SECONDS):
            return None
        try:
            return await self._archive(conversation_id)
        finally:
            await self._release(conversation_id, token)

    async def _release(self, conversation_id: str, token: str) -> None:
        await self.redis.eval(RELEASE, 1, keys.archiving(conversation_id), token)

    async def _archive(self, conversation_id: str) -> str | None:
        offset = int(await self.redis.get(keys.archived_offset(conversation_id)) or 0)
        raw = await self.redis.lrange(self.tracker.events(conversation_id), offset, -1)
        if not raw:
            return None
        events = [json.loads(r) for r in raw]
        tickets = [t for t in await self._tickets(conversation_id)
                   if t.created_at >= float(events[0].get("timestamp") or 0) - 1]
        record_id = await self._record_id(conversation_id, offset)
        record = build_record(record_id, conversation_id, events, tickets)
        if record is not None:
            path = self.directory / (record["ended_at"][:7] + ".jsonl")
            # the owner first: a crash between the two leaves a note of no record, never a record erasure misses
            await asyncio.to_thread(note_owner, self.directory, record_id, conversation_id)
            await asyncio.to_thread(append_line, path, record)
        await self.redis.set(keys.archived_offset(conversation_id), offset + len(raw))
        return record_id if record is not None else None

    async def archive_due(self, now: float | None = None) -> list[str]:
        now = time.time() if now is None else now
        due = await self.redis.zrangebyscore(keys.ACTIVITY, "-inf", now - self.idle_seconds, start=0, num=BATCH)
        archived = []
        for conversation_id in due:
            if await self.redis.exists(keys.owner_of_conversation(conversation_id)):
                await self.redis.zadd(keys.ACTIVITY, {conversation_id: now})  # people still on it: later
                continue
            try:
                record_id = await self.archive(conversation_id)
            except (RedisError, OSError):
                raise  # Redis or the disk: not this conversation's fault; run() retries the batch
            except Exception as e:  # one bad conversation must not stop the others
                if not await self._failed(conversation_id, now, e):
                    continue  # still in the activity set: tried again next pass
                record_id = None
            if record_id:
                archived.append(record_id)
                await self.redis.hdel(keys.ARCHIVE_ATTEMPTS, conversation_id)
                await self.redis.hdel(keys.ARCHIVE_FAILED, conversation_id)
            # forget it unless something happened meanwhile (then the feed moved its score)
            score = await self.redis.zscore(keys.ACTIVITY, conversation_id)
            if score is not None and score <= now - self.idle_seconds:
                await self.redis.zrem(keys.ACTIVITY, conversation_id)
        return archived

    async def _failed(self, conversation_id: str, now: float, error: Exception) -> bool:
        """Count a failed attempt; after ``ARCHIVE_ATTEMPTS`` set the conversation aside (True).
        Its events and offset stay as they are: nothing is lost, and an admin sees it in Redis."""
        attempts = int(await self.redis.hincrby(keys.ARCHIVE_ATTEMPTS, conversation_id, 1))
        logger.warning("archiving %s failed (attempt %d of %d)", conversation_id, attempts, ARCHIVE_ATTEMPTS,
                       exc_info=error)
        if attempts < ARCHIVE_ATTEMPTS:
            return False
        entry = {"at": now, "attempts": attempts, "error": type(error).__name__}
        await self.redis.hset(keys.ARCHIVE_FAILED, conversation_id, json.dumps(entry))
        await self.redis.hdel(keys.ARCHIVE_ATTEMPTS, conversation_id)
        logger.error("conversation %s set aside in %s after %d failed archiving attempts",
                     conversation_id, keys.ARCHIVE_FAILED, attempts)
        return True

    async def run(self) -> None:
        seconds = max(1.0, min(self.idle_seconds / 2, 30.0))
        while not self._stopping.is_set():
            try:
                archived = await self.archive_due()
                if archived:
                    logger.info("archived %d conversations", len(archived))
                beat("archiver")
            except asyncio.CancelledError:
                raise
            except Exception as e:
                redis_error(e, "archiver")
                logger.warning("archiving failed: %s; retrying", e)
            await pause(self._stopping, seconds)

    def stop(self) -> None:
        """End ``run`` after the pass in hand, even if its cancellation is lost (``handoff.background``)."""
        self._stopping.set()
