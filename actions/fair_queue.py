"""The brain thread shared fairly between clients, so a script cannot push real customers aside.

The brain has one thread (``actions/brain_provider.py``), and first come, first served lets
whoever sends most fill it: a flood from a dozen addresses, each within its per-address limits,
put real customers' answers seconds behind (``make test-abuse``). Here each piece of work names
its client (``client_for``), and the waiting job whose client used the brain least lately runs
next; a client's own jobs keep their order. A customer who writes now and then is served after
at most the job in hand, while a busy client waits for its own turn. Nothing is dropped: a busy
client's work is late, never lost (only ``/prefetch``, a head start, is skipped when work waits).

asyncio has no priority executor and ``concurrent.futures`` none at all, hence this small class.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bot.core.clients import client_key
from bot.core.conversation_ids import MESSENGER_PREFIX

T = TypeVar("T")
HALF_LIFE_SECONDS = 30.0  # how fast a client's past use is forgotten
COST_SECONDS = 0.05  # a job costs one unit, plus one per this much time it held the thread
FORGET_AFTER = 10_000  # clients remembered before the idle ones are forgotten
NEW_MESSENGER_CLIENT = "messenger:new"  # Messenger gives no address: first contacts share one client


def client_for(sender_id: str, metadata: Mapping[str, Any] | None, exchanges: int) -> str:
    """Whose turn a message is: its address (IPv4, or IPv6 /64) when the channel saw one; a
    Messenger customer who has not had a reply and written again yet shares one client with every
    other such customer (PSIDs cost a script nothing to rotate); otherwise the conversation."""
    ip = (metadata or {}).get("client_ip")
    if isinstance(ip, str) and ip:
        try:
            return "ip:" + client_key(ip)
        except ValueError:
            pass
    if sender_id.startswith(MESSENGER_PREFIX) and exchanges == 0:
        return NEW_MESSENGER_CLIENT
    return "conversation:" + sender_id


@dataclass
class _Usage:
    """A client's use of the brain, decaying by half every ``HALF_LIFE_SECONDS``."""

    value: float = 0.0
    at: float = 0.0

    def now(self, t: float) -> float:
        return self.value * math.pow(0.5, (t - self.at) / HALF_LIFE_SECONDS)

    def add(self, t: float, amount: float) -> None:
        self.value, self.at = self.now(t) + amount, t


@dataclass(order=True)
class _Job:
    seq: int
    client: str = field(compare=False)
    call: Callable[[], Any] = field(compare=False)
    future: asyncio.Future[Any] = field(compare=False)


class FairQueue:
    """Runs calls on ``executor`` one at a time, least-served client first."""

    def __init__(self, executor: Executor, clock: Callable[[], float] = time.monotonic) -> None:
        self._executor = executor
        self._clock = clock
        self._waiting: list[_Job] = []
        self._usage: dict[str, _Usage] = {}
        self._seq = itertools.count()
        self._running = False
        self._drainer: asyncio.Task[None] | None = None

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    async def run(self, client: str, call: Callable[[], T]) -> T:
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._waiting.append(_Job(next(self._seq), client, call, future))
        if not self._running:
            self._running = True
            self._drainer = asyncio.ensure_future(self._drain())
        return await future

    def usage(self, client: str) -> float:
        usage = self._usage.get(client)
        return usage.now(self._clock()) if usage else 0.0

    def _next(self) -> _Job:
        now = self._clock()
        job = min(self._waiting, key=lambda j: (self._usage[j.client].now(now) if j.client in self._usage else 0.0,
                                                 j.seq))
        self._waiting.remove(job)
        return job

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._waiting:
                job = self._next()
                if job.future.cancelled():
                    continue
                started = self._clock()
                try:
                    result = await loop.run_in_executor(self._executor, job.call)
                except Exception as exc:  # the caller gets it; the queue goes on
                    if not job.future.done():
                        job.future.set_exception(exc)
                else:
                    if not job.future.done():
                        job.future.set_result(result)
                ended = self._clock()
                self._usage.setdefault(job.client, _Usage()).add(ended, 1.0 + (ended - started) / COST_SECONDS)
                self._forget_idle()
        finally:
            self._running = False

    def _forget_idle(self) -> None:
        if len(self._usage) > FORGET_AFTER:
            now = self._clock()
            self._usage = {c: u for c, u in self._usage.items() if u.now(now) > 0.01}
