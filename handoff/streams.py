"""A consumer-group worker over one Redis stream: at-least-once, nothing lost on a crash.

Each step a worker re-reads what it had taken and not finished (its own pending entries: a
restart after SIGKILL resumes there), then claims entries another worker left idle for
``claim_idle_ms``, or else waits for new ones. An entry is acknowledged only after its
handler returned; a handler that keeps failing for ``max_attempts`` moves the entry to a
dead-letter stream and logs it, so one bad entry cannot stop the rest.

With ``order`` (an entry's conversation order list, written by ``bot.core.turns.add``), an entry
waits while an earlier one of its conversation is unfinished, wherever it is: replicas
sharing the group then deliver one conversation's entries in the order they were written.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from bot.core import turns
from bot.core.text import as_str
from handoff.background import pause
from handoff.process_metrics import beat, redis_error

logger = logging.getLogger(__name__)

Handler = Callable[[str, dict[str, str]], Awaitable[None]]
Order = Callable[[dict[str, str]], str]
RETRY_SECONDS = 1.0
TURN_RETRY_MS = 100  # how soon an entry waiting for its conversation's earlier one is looked at again


class StreamWorker:
    def __init__(self, client: Redis, stream: str, group: str, consumer: str, handler: Handler,
                 claim_idle_ms: int = 30_000, max_attempts: int = 20, block_ms: int = 1000,
                 start_id: str = "0", delete_done: bool = False, order: Order | None = None) -> None:
        self.redis: Any = client
        self.order = order
        self.stream, self.group, self.consumer = stream, group, consumer
        self.handler = handler
        self.claim_idle_ms, self.max_attempts, self.block_ms = claim_idle_ms, max_attempts, block_ms
        self.start_id = start_id
        self.delete_done = delete_done  # the stream is this group's alone: drop what is done
        self.dead_stream = f"{stream}:dead"
        self._failures: dict[str, int] = {}
        self._stopping = asyncio.Event()

    async def ensure_group(self) -> None:
        try:
            await self.redis.xgroup_create(self.stream, self.group, id=self.start_id, mkstream=True)
        except ResponseError as e:
            if "BUSYGROUP" not in str(e):
                raise

    async def _read(self, entry_id: str, block_ms: int | None = None) -> list[tuple[str, dict[str, str]]]:
        reply = await self.redis.xreadgroup(self.group, self.consumer, {self.stream: entry_id}, count=50,
                                            block=block_ms)
        return [(as_str(i), _fields(f)) for _, items in reply or [] for i, f in items if f]

    async def step(self) -> int:
        """Handle one batch; returns how many entries were handled."""
        entries = await self._read("0")  # reading them again also tells the group this worker is alive
        claimed = await self.redis.xautoclaim(self.stream, self.group, self.consumer, self.claim_idle_ms,
                                              "0-0", count=50)
        entries += [(as_str(i), _fields(f)) for i, f in claimed[1] if f]
        if not claimed[1]:
            entries += await self._read(">", TURN_RETRY_MS if entries else self.block_ms)
        done = 0
        for entry_id, fields in entries:
            if self._stopping.is_set():
                break  # the rest stay pending for the next start (or another worker's claim)
            if self.order is not None and not await turns.my_turn(self.redis, self.stream, self.order(fields),
                                                                  entry_id):
                continue  # stays pending: its conversation's earlier entry goes first
            if not await self._handle(entry_id, fields):
                break  # keep order: retry this entry before the ones after it
            done += 1
        return done

    async def _handle(self, entry_id: str, fields: dict[str, str]) -> bool:
        try:
            await self.handler(entry_id, fields)
        except Exception as e:
            attempts = self._failures.get(entry_id, 0) + 1
            self._failures[entry_id] = attempts
            if attempts < self.max_attempts:
                logger.warning("%s entry %s failed (attempt %d): %s", self.stream, entry_id, attempts, e)
                await pause(self._stopping, min(RETRY_SECONDS * attempts, 10))
                return False
            logger.error("%s entry %s failed %d times; moved to %s", self.stream, entry_id, attempts,
                         self.dead_stream)
            await self.redis.xadd(self.dead_stream, {**fields, "error": repr(e)[:1000], "at": repr(time.time())})
        self._failures.pop(entry_id, None)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.xack(self.stream, self.group, entry_id)
            if self.delete_done:
                pipe.xdel(self.stream, entry_id)
            if self.order is not None:
                turns.forget(pipe, self.order(fields), entry_id)
            await pipe.execute()
        return True

    async def run(self) -> None:
        """Work until stopped or cancelled; survives Redis restarts."""
        while not self._stopping.is_set():
            try:
                await self.ensure_group()
                while not self._stopping.is_set():
                    await self.step()
                    beat(self.stream)
            except asyncio.CancelledError:
                raise
            except Exception as e:
                redis_error(e, self.stream)
                logger.warning("%s worker: %s; retrying", self.stream, e)
                await pause(self._stopping, RETRY_SECONDS)

    def stop(self) -> None:
        """End ``run`` after the read or entry in hand, even if its cancellation is lost (``handoff.background``)."""
        self._stopping.set()



def _fields(raw: dict[Any, Any]) -> dict[str, str]:
    return {as_str(k): as_str(v) for k, v in raw.items()}
