"""The Rasa server's turns (bot/rasa_side/patches/fair_share.py): a few messages at a time,
the least-served client next, nothing dropped."""

from __future__ import annotations

import asyncio

from bot.core.fair_share import FairShare
from bot.rasa_side.patches.fair_share import (
    ESTABLISHED_TURNS,
    HEAVY_BURST,
    HEAVY_USAGE,
    IDLE_FACTOR,
    LIGHT_ACTIVE_SECONDS,
    NEW_MESSENGER,
    OVERDUE_SECONDS,
    FairGate,
)

HEAVY_USAGE_TURNS = int(HEAVY_USAGE // 2) + 1  # turns of 50 ms: two units each


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


async def test_a_freed_slot_goes_to_the_least_served_client_and_nothing_is_dropped() -> None:
    gate = FairGate(1, share=FairShare(Clock()))
    order: list[str] = []
    await gate.acquire("flood")  # the slot is busy
    for _ in range(3):
        gate.share.charge("flood", 0.2)  # the flood has been served a lot lately

    async def turn(client: str, name: str) -> None:
        await gate.acquire(client)
        order.append(name)
        gate.share.charge(client, 0.0)
        gate.release()

    waiting = [asyncio.ensure_future(turn("flood", f"flood{n}")) for n in range(3)]
    waiting.append(asyncio.ensure_future(turn("ip:198.51.100.7", "real")))  # arrives last
    await asyncio.sleep(0)
    assert gate.waiting == 4 and gate.busy == 1
    gate.release()
    await asyncio.gather(*waiting)
    assert order == ["real", "flood0", "flood1", "flood2"]
    assert gate.busy == 0 and gate.waiting == 0


async def test_free_slots_are_taken_without_waiting() -> None:
    gate = FairGate(2)
    await gate.acquire("a")
    await gate.acquire("b")
    assert gate.busy == 2 and gate.waiting == 0
    third = asyncio.ensure_future(gate.acquire("c"))
    await asyncio.sleep(0)
    assert not third.done()
    gate.release()
    await third
    assert gate.busy == 2


async def test_a_waiter_that_gives_up_does_not_keep_a_slot() -> None:
    gate = FairGate(1)
    await gate.acquire("a")
    gone = asyncio.ensure_future(gate.acquire("b"))
    await asyncio.sleep(0)
    gone.cancel()
    await asyncio.sleep(0)
    assert gate.waiting == 0
    gate.release()
    assert gate.busy == 0
    await gate.acquire("c")  # the slot is free again
    assert gate.busy == 1


def test_whose_turn_a_message_is() -> None:
    gate = FairGate(4)
    assert gate.client_of("web:x", {"client_ip": "203.0.113.5"}) == "ip:203.0.113.5"
    assert gate.client_of("tool", {"client_ip": "garbage"}) == "conversation:tool"
    psid = "messenger:1234"
    assert gate.client_of(psid, {}) == NEW_MESSENGER  # a new PSID costs a script nothing
    for _ in range(ESTABLISHED_TURNS):
        gate.share.charge("conversation:" + psid, 0.0)
    assert gate.client_of(psid, {}) == "conversation:" + psid


async def test_heavy_clients_share_a_budget_and_light_ones_go_at_once() -> None:
    clock = Clock()
    gate = FairGate(10, heavy_per_second=1000.0, share=FairShare(clock))
    for _ in range(HEAVY_USAGE_TURNS):
        gate.share.charge("flood", 0.05)  # far faster than anyone types
    assert gate.heavy("flood") and not gate.heavy("ip:198.51.100.7")
    for _ in range(int(HEAVY_BURST)):
        await gate.acquire("flood")  # the burst allowance
    late = asyncio.ensure_future(gate.acquire("flood"))
    await asyncio.sleep(0)
    assert not late.done() and gate.busy == int(HEAVY_BURST)  # slots are free, the budget is not
    await asyncio.wait_for(gate.acquire("ip:198.51.100.7"), 1)  # a person is not held up by it
    clock.t += 0.001  # one more turn's worth of budget
    await asyncio.wait_for(late, 1)  # let in when the budget allows, never dropped
    assert gate.waiting == 0


def test_the_budget_works_on_rasas_event_loop_uvloop() -> None:
    """Rasa's Sanic runs on uvloop, whose timer handles differ from asyncio's."""
    import uvloop

    async def scenario() -> bool:
        gate = FairGate(4, heavy_per_second=200.0)
        for _ in range(HEAVY_USAGE_TURNS):
            gate.share.charge("flood", 0.05)
        turns = [asyncio.ensure_future(gate.acquire("flood")) for _ in range(int(HEAVY_BURST) + 2)]
        for turn in turns[:4]:
            await turn
        for _ in range(3):
            gate.release()
        await asyncio.wait_for(asyncio.gather(*turns), 2)  # the last ones wait for budget, then run
        return gate.waiting == 0

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        assert runner.run(scenario())


async def test_heavy_clients_get_more_once_nobody_else_writes() -> None:
    clock = Clock()
    gate = FairGate(10, heavy_per_second=10.0, share=FairShare(clock))
    assert gate._heavy_rate() == 10.0 * IDLE_FACTOR  # nobody light yet
    await gate.acquire("ip:198.51.100.7")  # a person writes
    assert gate._heavy_rate() == 10.0
    clock.t += LIGHT_ACTIVE_SECONDS
    assert gate._heavy_rate() == 10.0 * IDLE_FACTOR


async def test_a_busy_clients_message_is_slowed_never_starved() -> None:
    clock = Clock()
    gate = FairGate(1, heavy_per_second=1000.0, share=FairShare(clock))
    for _ in range(HEAVY_USAGE_TURNS * 10):
        gate.share.charge("ip:192.0.2.1", 0.05)  # an office behind one address, very busy
    await gate.acquire("someone")
    office = asyncio.ensure_future(gate.acquire("ip:192.0.2.1"))
    await asyncio.sleep(0)
    clock.t += OVERDUE_SECONDS
    newcomer = asyncio.ensure_future(gate.acquire("ip:198.51.100.9"))  # light, but arrives later
    await asyncio.sleep(0)
    gate.release()
    await asyncio.wait_for(office, 1)  # waited long enough: goes before the newcomer
    assert not newcomer.done()
    gate.release()
    await asyncio.wait_for(newcomer, 1)


def test_a_heavy_client_is_light_again_only_well_below_the_line() -> None:
    clock = Clock()
    gate = FairGate(4, share=FairShare(clock))
    for _ in range(HEAVY_USAGE_TURNS):
        gate.share.charge("ip:192.0.2.7", 0.05)
    assert gate.heavy("ip:192.0.2.7")
    while gate.share.usage("ip:192.0.2.7") >= HEAVY_USAGE * 0.75:
        clock.t += 1
    assert gate.heavy("ip:192.0.2.7")  # under the line, not yet under half of it
    while gate.share.usage("ip:192.0.2.7") >= HEAVY_USAGE / 2:
        clock.t += 1
    assert not gate.heavy("ip:192.0.2.7")
