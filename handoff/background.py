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
from collections.abc import Iterable
from typing import Protocol


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
