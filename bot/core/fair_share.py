"""Whose turn is next when clients compete for one resource: the client that used it least
lately, and first come, first served among equals.

Used where a script could otherwise crowd real customers out: the Rasa server's message
handling (``bot/rasa_side/patches/fair_share.py``) and the action server's brain thread
(``actions/fair_queue.py``). A client's use decays by half every ``HALF_LIFE_SECONDS``, so a
customer who writes now and then always ranks before a client that keeps the resource busy.
Neither asyncio nor ``concurrent.futures`` has a priority queue for this, hence the class.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar

HALF_LIFE_SECONDS = 30.0  # how fast a client's past use is forgotten
COST_SECONDS = 0.05  # a turn costs one unit, plus one for each this much time it held the resource
FORGET_AFTER = 10_000  # clients remembered before the idle ones are forgotten


class Waiting(Protocol):
    @property
    def seq(self) -> int: ...
    @property
    def client(self) -> str: ...


W = TypeVar("W", bound=Waiting)


@dataclass
class _Use:
    value: float = 0.0
    at: float = 0.0
    turns: int = 0

    def now(self, t: float) -> float:
        return self.value * math.pow(0.5, (t - self.at) / HALF_LIFE_SECONDS)


class FairShare:
    """Each client's decaying use, and the choice of the next turn."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._use: dict[str, _Use] = {}

    def usage(self, client: str) -> float:
        use = self._use.get(client)
        return use.now(self.clock()) if use else 0.0

    def turns(self, client: str) -> int:
        """How many turns ``client`` had (while remembered)."""
        use = self._use.get(client)
        return use.turns if use else 0

    def next_of(self, waiting: Iterable[W]) -> W:
        """The waiting turn whose client used least, the earliest among equals."""
        now = self.clock()
        return min(waiting, key=lambda w: (self._use[w.client].now(now) if w.client in self._use else 0.0, w.seq))

    def charge(self, client: str, held_seconds: float) -> None:
        """``client`` had a turn that held the resource ``held_seconds``."""
        now = self.clock()
        use = self._use.get(client) or _Use()
        self._use[client] = _Use(use.now(now) + 1.0 + max(held_seconds, 0.0) / COST_SECONDS, now, use.turns + 1)
        if len(self._use) > FORGET_AFTER:
            self._use = {c: u for c, u in self._use.items() if u.now(now) > 0.01}
