"""The brain thread shared fairly between clients, so a script cannot push real customers aside.

The brain has one thread (``actions/brain_provider.py``), and first come, first served lets
whoever sends most fill it: a flood from a dozen addresses, each within its per-address limits,
put real customers' answers seconds behind (``make test-abuse``). Here each piece of work names
its client (``client_for``), and the waiting job whose client used the brain least lately runs
next (``bot/core/fair_share.py``); a client's own jobs keep their order. Nothing is dropped: a
busy client's work is late, never lost (only ``/prefetch``, a head start, is skipped when work
waits).
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bot.core.clients import turn_client
from bot.core.fair_share import FairShare

T = TypeVar("T")


def client_for(sender_id: str, metadata: Mapping[str, Any] | None, exchanges: int) -> str:
    """Whose turn a message is (``bot.core.clients.turn_client``): a Messenger customer has their
    own once they had a reply and wrote again."""
    return turn_client(sender_id, metadata, established=exchanges > 0)


@dataclass
class _Job:
    seq: int
    client: str
    call: Callable[[], Any] = field(repr=False)
    future: asyncio.Future[Any] = field(repr=False)


class FairQueue:
    """Runs calls on ``executor`` one at a time, least-served client first."""

    def __init__(self, executor: Executor, clock: Callable[[], float] = time.monotonic) -> None:
        self._executor = executor
        self._share = FairShare(clock)
        self._waiting: list[_Job] = []
        self._seq = itertools.count()
        self._drainer: asyncio.Task[None] | None = None

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def usage(self, client: str) -> float:
        return self._share.usage(client)

    async def run(self, client: str, call: Callable[[], T]) -> T:
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._waiting.append(_Job(next(self._seq), client, call, future))
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.ensure_future(self._drain())
        return await future

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        while self._waiting:
            job = self._share.next_of(self._waiting)
            self._waiting.remove(job)
            if job.future.cancelled():
                continue
            started = self._share.clock()
            try:
                result = await loop.run_in_executor(self._executor, job.call)
            except Exception as exc:  # the caller gets it; the queue goes on
                if not job.future.done():
                    job.future.set_exception(exc)
            else:
                if not job.future.done():
                    job.future.set_result(result)
            self._share.charge(job.client, self._share.clock() - started)
