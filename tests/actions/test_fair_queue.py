"""The brain thread shared between clients: least-served first, each client's jobs in order."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from actions.fair_queue import FairQueue, client_for
from bot.core.clients import NEW_MESSENGER as NEW_MESSENGER_CLIENT
from bot.core.fair_share import HALF_LIFE_SECONDS


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def executor() -> Any:
    pool = ThreadPoolExecutor(max_workers=1)
    yield pool
    pool.shutdown(wait=True)


async def _blocked(queue: FairQueue, gate: threading.Event, ran: list[str]) -> asyncio.Task[Any]:
    """A job from "first" that holds the thread until ``gate`` opens, so the others queue up."""
    started = threading.Event()

    def hold() -> None:
        started.set()
        gate.wait(5)
        ran.append("first")

    task = asyncio.ensure_future(queue.run("first", hold))
    while not started.is_set():
        await asyncio.sleep(0.001)
    return task


async def test_a_quiet_client_goes_before_a_flooding_one(executor: ThreadPoolExecutor) -> None:
    queue, gate, ran = FairQueue(executor, Clock()), threading.Event(), []
    first = await _blocked(queue, gate, ran)
    flood = [asyncio.ensure_future(queue.run("flood", lambda n=n: ran.append(f"flood{n}"))) for n in range(5)]
    real = asyncio.ensure_future(queue.run("real", lambda: ran.append("real")))  # arrives after the flood
    await asyncio.sleep(0)
    gate.set()
    await asyncio.gather(first, real, *flood)
    # the flood's first job (its turn came first), then the real customer, then the rest in order
    assert ran == ["first", "flood0", "real", "flood1", "flood2", "flood3", "flood4"]


async def test_waiting_clients_take_turns_and_nothing_is_dropped(executor: ThreadPoolExecutor) -> None:
    queue, gate, ran = FairQueue(executor, Clock()), threading.Event(), []
    first = await _blocked(queue, gate, ran)
    jobs = [asyncio.ensure_future(queue.run(c, lambda c=c, n=n: ran.append(f"{c}{n}")))
            for c in ("a", "b") for n in range(3)]
    await asyncio.sleep(0)
    assert queue.waiting == 6
    gate.set()
    await asyncio.gather(first, *jobs)
    assert ran == ["first", "a0", "b0", "a1", "b1", "a2", "b2"]
    assert queue.waiting == 0


async def test_results_and_errors_reach_their_callers(executor: ThreadPoolExecutor) -> None:
    queue = FairQueue(executor, Clock())
    assert await queue.run("a", lambda: 42) == 42

    def boom() -> None:
        raise ValueError("broken text")

    with pytest.raises(ValueError, match="broken text"):
        await queue.run("a", boom)
    assert await queue.run("b", lambda: "after") == "after"  # the queue goes on


async def test_use_is_forgotten_by_half_every_half_life(executor: ThreadPoolExecutor) -> None:
    clock = Clock()
    queue = FairQueue(executor, clock)
    for _ in range(4):
        await queue.run("busy", lambda: None)
    used = queue.usage("busy")
    assert used >= 4
    clock.t += HALF_LIFE_SECONDS
    assert queue.usage("busy") == pytest.approx(used / 2)
    assert queue.usage("never") == 0.0


def test_whose_turn_a_message_is() -> None:
    assert client_for("web:abc", {"client_ip": "203.0.113.7"}, 0) == "ip:203.0.113.7"
    assert client_for("web:abc", {"client_ip": "2001:db8:1:2:3:4:5:6"}, 3) == "ip:2001:db8:1:2::/64"
    assert client_for("messenger:123", {}, 0) == NEW_MESSENGER_CLIENT  # PSIDs cost a script nothing
    assert client_for("messenger:123", None, 1) == "conversation:messenger:123"
    assert client_for("tool-1", {"client_ip": "not an address"}, 0) == "conversation:tool-1"
