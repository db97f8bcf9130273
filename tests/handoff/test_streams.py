"""The consumer-group worker against a real redis-server."""

from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from bot.core import turns
from handoff.streams import StreamWorker


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    c = aioredis.from_url(redis_url, decode_responses=True)
    yield c
    await c.aclose()


async def test_an_entry_taken_before_a_crash_is_handled_after_the_restart(client: aioredis.Redis) -> None:
    await client.xadd("s", {"n": "1"})
    await client.xadd("s", {"n": "2"})
    handled: list[str] = []

    async def crash_on_second(entry_id: str, fields: dict[str, str]) -> None:
        if fields["n"] == "2":
            raise KeyboardInterrupt  # the process dies in the middle: nothing is acknowledged
        handled.append(fields["n"])

    first = StreamWorker(client, "s", "g", "me", crash_on_second, block_ms=10)
    await first.ensure_group()
    with pytest.raises(KeyboardInterrupt):
        await first.step()

    async def record(entry_id: str, fields: dict[str, str]) -> None:
        handled.append(fields["n"])

    restarted = StreamWorker(client, "s", "g", "me", record, block_ms=10)
    assert await restarted.step() == 1  # its own pending entry first
    assert handled == ["1", "2"]
    assert (await client.xpending("s", "g"))["pending"] == 0


async def test_a_failing_entry_is_retried_then_dead_lettered(client: aioredis.Redis) -> None:
    await client.xadd("s", {"n": "bad"})
    calls = 0

    async def always_fails(entry_id: str, fields: dict[str, str]) -> None:
        nonlocal calls
        calls += 1
        raise ValueError("Rasa answered 400")

    worker = StreamWorker(client, "s", "g", "me", always_fails, max_attempts=2, block_ms=10)
    await worker.ensure_group()
    await worker.step()
    await worker.step()
    assert calls == 2
    [(_, fields)] = await client.xrange("s:dead")
    assert fields["n"] == "bad" and "Rasa answered 400" in fields["error"]


async def test_delete_done_keeps_the_stream_small(client: aioredis.Redis) -> None:
    await client.xadd("out", {"n": "1"})

    async def ok(entry_id: str, fields: dict[str, str]) -> None:
        return None

    worker = StreamWorker(client, "out", "g", "me", ok, block_ms=10, delete_done=True)
    await worker.ensure_group()
    await worker.step()
    assert await client.xlen("out") == 0


async def test_with_an_order_a_conversation_waits_for_its_earlier_entry_on_another_worker(
    client: aioredis.Redis,
) -> None:
    for conversation, n in (("c1", "1"), ("c2", "1"), ("c1", "2")):
        async with client.pipeline(transaction=True) as pipe:
            turns.add(pipe, "out", f"order:{conversation}", {"conversation": conversation, "n": n})
            await pipe.execute()
    handled: list[str] = []

    async def record(entry_id: str, fields: dict[str, str]) -> None:
        handled.append(fields["conversation"] + "/" + fields["n"])

    def order(fields: dict[str, str]) -> str:
        return "order:" + fields["conversation"]

    a = StreamWorker(client, "out", "g", "a", record, block_ms=10, delete_done=True, order=order)
    b = StreamWorker(client, "out", "g", "b", record, block_ms=10, delete_done=True, order=order)
    await a.ensure_group()
    await client.xreadgroup("g", "a", {"out": ">"}, count=1)  # a took c1/1 and has not finished it
    assert await b.step() == 1  # b took c2/1 and c1/2: c1/2 waits for a
    assert handled == ["c2/1"]
    assert await a.step() == 1 and await b.step() == 1
    assert handled == ["c2/1", "c1/1", "c1/2"]
    assert await client.xlen("out") == 0 and not await client.exists("order:c1", "order:c2")
