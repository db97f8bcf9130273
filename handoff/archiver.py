"""Archiving finished conversations: redacted, appended to ``ARCHIVE_DIR/<YYYY-MM>.jsonl``.

A conversation is finished when nothing happened in it for ``idle_seconds`` and no ticket
is open. The event feed notes activity (``ho:activity``); this worker looks for idle
conversations, writes the events since the last archived one as a record (the format's
``conv-`` id is fixed per conversation stretch, so a retry after a crash appends the same
record again, which readers collapse), fsyncs the file, then remembers the offset. A
conversation that goes on later is archived again from where the last record ended.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from pathlib import Path
from typing import Any

from redis.asyncio import Redis

from handoff import keys
from handoff.archive_record import build_record
from handoff.models import Ticket

logger = logging.getLogger(__name__)
FIRST_ID = 100_000  # live archive ids start above the demo archive's
BATCH = 50


def append_line(path: Path, record: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        out.flush()
        os.fsync(out.fileno())


class Archiver:
    def __init__(self, client: Redis, directory: Path, idle_seconds: float) -> None:
        self.redis: Any = client
        self.directory = directory
        self.idle_seconds = idle_seconds

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
        """Archive what is new in the conversation; the record id, or None if nothing was."""
        offset = int(await self.redis.get(keys.archived_offset(conversation_id)) or 0)
        raw = await self.redis.lrange(keys.conversation_events(conversation_id), offset, -1)
        if not raw:
            return None
        events = [json.loads(r) for r in raw]
        tickets = [t for t in await self._tickets(conversation_id)
                   if t.created_at >= float(events[0].get("timestamp") or 0) - 1]
        record_id = await self._record_id(conversation_id, offset)
        record = build_record(record_id, conversation_id, events, tickets)
        if record is not None:
            path = self.directory / (record["ended_at"][:7] + ".jsonl")
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
            record_id = await self.archive(conversation_id)
            if record_id:
                archived.append(record_id)
            # forget it unless something happened meanwhile (then the feed moved its score)
            score = await self.redis.zscore(keys.ACTIVITY, conversation_id)
            if score is not None and score <= now - self.idle_seconds:
                await self.redis.zrem(keys.ACTIVITY, conversation_id)
        return archived

    async def run(self) -> None:
        pause = max(1.0, min(self.idle_seconds / 2, 30.0))
        while True:
            try:
                archived = await self.archive_due()
                if archived:
                    logger.info("archived %d conversations", len(archived))
            except asyncio.CancelledError:
                raise
            except Exception as e:
                logger.warning("archiving failed: %s; retrying", e)
            await asyncio.sleep(pause)
