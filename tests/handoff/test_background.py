"""Shutdown ends every background loop even when redis-py loses the cancellation (``handoff.background``).

A lost cancellation is made on purpose: the Redis client's blocking read returns as if the
cancellation had not come, which is what redis-py does at times on Python 3.11 (its
``asyncio.wait_for`` around a socket write). Everything else is real: redis-server, the workers, the app.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis
from aiohttp import web

from bot.core import keys
from handoff.app import create_app
from handoff.appkeys import REDIS
from handoff.archiver import Archiver
from handoff.retention import Retention, RetentionLimits
from handoff.streams import StreamWorker
from tests.handoff.conftest import settings

STOP_SECONDS = 30.0  # far above what stopping takes; only a hang reaches it


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        assert time.monotonic() < deadline, "not reached in time"
        await asyncio.sleep(0.02)


def losing_cancellations(client: aioredis.Redis) -> asyncio.Event:
    """Make ``client``'s reads of streams drop a cancellation (answer "nothing new" instead); the
    event is set once a read is under way."""
    reading, read = asyncio.Event(), client.xreadgroup

    async def xreadgroup(*args: Any, **kwargs: Any) -> Any:
        reading.set()
        try:
            return await read(*args, **kwargs)
        except asyncio.CancelledError:
            return []

    client.xreadgroup = xreadgroup  # type: ignore[method-assign]
    return reading


async def blocked_readers(redis_url: str) -> int:
    """How many connections redis-server holds blocked in XREADGROUP."""
    observer = aioredis.from_url(redis_url, decode_responses=True)
    try:
        return sum(1 for c in await observer.client_list() if c["cmd"] == "xreadgroup" and "b" in c["flags"])
    finally:
        await observer.aclose()


async def ended(task: asyncio.Task[None]) -> bool:
    """Whether ``task`` ends within STOP_SECONDS."""
    done, _ = await asyncio.wait([task], timeout=STOP_SECONDS)
    return task in done


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    c = aioredis.from_url(redis_url, decode_responses=True, socket_timeout=5)
    yield c
    await c.aclose()


async def test_a_worker_blocked_in_a_read_stops_though_the_cancellation_is_lost(
        client: aioredis.Redis, redis_url: str) -> None:
    async def handler(entry_id: str, fields: dict[str, str]) -> None:
        raise AssertionError("nothing was written to the stream")

    worker = StreamWorker(client, "s", "g", "me", handler, block_ms=60_000)
    reading = losing_cancellations(client)
    task = asyncio.create_task(worker.run())
    await reading.wait()

    async def blocked() -> bool:
        return await blocked_readers(redis_url) == 1

    await eventually(blocked)
    worker.stop()
    task.cancel()
    assert await ended(task), "the worker went on reading after it was stopped"
    assert task.cancelled() or task.result() is None


async def test_a_worker_whose_handler_keeps_failing_stops(client: aioredis.Redis) -> None:
    """Between attempts the worker waits; a stop ends the wait."""
    await client.xadd("s", {"n": "1"})
    failing = asyncio.Event()

    async def handler(entry_id: str, fields: dict[str, str]) -> None:
        failing.set()
        raise RuntimeError("Rasa is away")

    worker = StreamWorker(client, "s", "g", "me", handler, block_ms=10, max_attempts=1000)
    task = asyncio.create_task(worker.run())
    await failing.wait()
    worker.stop()
    assert await ended(task), "the worker went on retrying after it was stopped"
    assert await client.xpending("s", "g") is not None  # the entry stays for the next start


@pytest.mark.parametrize("kind", ["archiver", "retention"])
async def test_the_archiver_and_retention_stop_when_flagged(client: aioredis.Redis, tmp_path: Path, kind: str) -> None:
    """Stopped in a pass or in the pause after it (30 s, an hour): the flag alone ends the loop."""
    loop: Archiver | Retention = (
        Archiver(client, tmp_path, idle_seconds=3600) if kind == "archiver"
        else Retention(client, RetentionLimits(), keys.TrackerKeys(), keys.MessengerKeys()))
    working, command = asyncio.Event(), client.execute_command

    async def execute_command(*args: Any, **kwargs: Any) -> Any:
        working.set()
        return await command(*args, **kwargs)

    client.execute_command = execute_command  # type: ignore[method-assign]
    task = asyncio.create_task(loop.run())
    await working.wait()  # its first pass is under way
    loop.stop()
    assert await ended(task), f"the {kind} went on after it was stopped"
    assert task.result() is None


async def test_the_apps_cleanup_ends_while_workers_are_blocked_in_a_read(redis_url: str) -> None:
    app = create_app(settings(redis_url))
    runner = web.AppRunner(app)
    await runner.setup()  # the app's cleanup contexts start: Redis, the notifier, the workers
    try:
        reading = losing_cancellations(app[REDIS])
        await reading.wait()

        async def both_blocked() -> bool:  # the outbox and the event feed, each in its own read
            return await blocked_readers(redis_url) == 2

        await eventually(both_blocked)
    finally:
        cleanup = asyncio.create_task(runner.cleanup())
        assert await ended(cleanup), "the app's cleanup hung on a worker"
    assert await blocked_readers(redis_url) == 0
