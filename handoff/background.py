"""Ending the handoff service's background loops (stream workers, archiver, retention) at shutdown.

Cancelling a task is not enough. The loops survive errors by design (Redis away for a moment),
and redis-py can lose a cancellation: on Python 3.11 the ``asyncio.wait_for`` it puts around a
socket write (``socket_timeout``) returns normally when the write had just finished as the
cancellation came, and the task runs on with the cancellation gone (about one cancellation in 20
of a worker reading a busy stream, measured); one turned into redis-py's TimeoutError is survived
as any error. A cancelled loop may then go on forever and the app's cleanup, awaiting it, hangs.
So each loop also checks a stop flag between steps and waits on it instead of sleeping: cleanup
sets the flag, then cancels.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any, Protocol

from redis.exceptions import LockError, RedisError

from handoff import clock
from handoff.process_metrics import beat, redis_error

logger = logging.getLogger(__name__)


class Loop(Protocol):
    def stop(self) -> None: ...


async def pause(stopping: asyncio.Event, seconds: float) -> None:
    """Wait ``seconds``, or less if ``stopping`` is set meanwhile."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stopping.wait(), seconds)


async def stop(loops: Iterable[Loop], tasks: Iterable[asyncio.Task[None]]) -> None:
    """Flag every loop to stop, cancel their tasks, and wait for each to end."""
    for loop in loops:
        loop.stop()
    tasks = list(tasks)
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _every(step: Callable[[], Awaitable[Any]], stopping: asyncio.Event, wake: asyncio.Event | None,
                 seconds: float, what: str) -> None:
    """``step`` each ``seconds`` (sooner when ``wake`` is set) until ``stopping``; Redis away for a
    moment is logged and the next look retries."""
    seconds = clock.real_seconds(seconds)  # a compressed weekend (make bench-team) looks more often
    while not stopping.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for((wake or stopping).wait(), seconds)
        if wake is not None:
            wake.clear()
        try:
            await step()
            beat(what)
        except RedisError as e:
            redis_error(e, what)
            logger.warning("%s failed: %s", what, e)
        except Exception:
            logger.exception("%s stopped: /ready answers 503 until the service is restarted", what)
            raise


@contextlib.asynccontextmanager
async def periodic(step: Callable[[], Awaitable[Any]], seconds: float, what: str,
                   wake: asyncio.Event | None = None) -> AsyncIterator[asyncio.Task[None]]:
    """A loop of ``step`` for the duration of the ``async with``: the body of a ``cleanup_ctx``
    (the notifier, the assigner, the pending watcher); its task is given to the body, which
    hands it to ``/ready`` (an error other than Redis's ends it). At the end the loop is
    flagged, then cancelled, and awaited."""
    stopping = asyncio.Event()
    task = asyncio.create_task(_every(step, stopping, wake, seconds, what))
    try:
        yield task
    finally:
        stopping.set()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)  # an error that ended it was logged then


@contextlib.asynccontextmanager
async def one_pass(client: Any, key: str, seconds: float) -> AsyncIterator[bool]:
    """The Redis lock ``key`` taken without waiting, for one pass of a replicated loop: True while
    this replica holds it (given back at the end), False when another replica has it."""
    lock = client.lock(key, timeout=seconds)
    if not await lock.acquire(blocking=False):
        yield False
        return
    try:
        yield True
    finally:
        with contextlib.suppress(LockError):  # expired during a very long pass: nothing to give back
            await lock.release()
