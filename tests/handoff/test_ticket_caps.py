"""Ticket caps and the overflow in the ticket store, against a real redis-server."""

import asyncio
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from bot.core import keys
from handoff.admission import TicketCaps
from handoff.errors import TooManyOpen
from handoff.models import Outcome
from handoff.tickets import TicketStore

NOW = 6_000_000.0  # the start of a minute


@pytest.fixture
async def store(redis_url: str) -> AsyncIterator[TicketStore]:
    client = aioredis.from_url(redis_url, decode_responses=True)
    yield TicketStore(client, caps=TicketCaps(new_per_minute=3, max_open_per_client=2))
    await client.aclose()


async def new(store: TicketStore, conversation: str, exchanges: int, now: float = NOW, ip: str = "",
              reasons: tuple[str, ...] = ("legal_threat", "human_request")) -> str:
    ticket, created = await store.create(conversation, "rest", "pl", "", list(reasons), [], now=now,
                                         client_ip=ip, exchanges=exchanges)
    assert created
    return ticket.id


async def test_a_flood_of_cold_threats_never_moves_a_real_customer_down(store: TicketStore) -> None:
    calm = await new(store, "real-calm", 1, NOW - 600, reasons=("human_request",))
    upset = await new(store, "real-upset", 2, NOW - 300, reasons=("negative_sentiment",))
    before = [await store.position(t) for t in (upset, calm)]
    cold = [await new(store, f"cold-{i}", 0, NOW + i) for i in range(10)]
    assert [await store.position(t) for t in (upset, calm)] == before == [1, 2]
    assert await store.queue() == [upset, calm, *cold]
    assert (await store.get(cold[0])).priority == 0 and (await store.get(upset)).priority == 30


async def test_over_the_rate_cold_tickets_wait_in_the_overflow_real_ones_join_the_queue(store: TicketStore) -> None:
    cold = [await new(store, f"cold-{i}", 0, NOW + i) for i in range(5)]  # the rate is 3 a minute
    real = await new(store, "real", 1, NOW + 10)
    assert await store.redis.zrange(keys.QUEUE, 0, -1) == [real, *cold[:3]]  # lifted past cold ones: no push-down
    assert await store.redis.zrange(keys.OVERFLOW, 0, -1) == cold[3:]
    assert await store.position(cold[3]) == 5 and await store.position(cold[4]) == 6  # after the whole queue
    assert await store.release_overflow(now=NOW + 20) == []  # the minute is used up
    assert await store.release_overflow(now=NOW + 60) == cold[3:]  # the next minute has room
    assert await store.redis.zcard(keys.OVERFLOW) == 0
    assert await store.queue() == [real, *cold]  # each once, nothing lost


async def test_a_ticket_claimed_or_closed_in_the_overflow_leaves_it(store: TicketStore) -> None:
    held = [await new(store, f"cold-{i}", 0, NOW + i) for i in range(5)][3:]
    await store.claim(held[0], "anna", "Anna")
    await store.close(held[1], "ola", Outcome.RESOLVED, is_admin=True)
    assert await store.redis.zcard(keys.OVERFLOW) == 0 and await store.release_overflow(now=NOW + 60) == []


async def test_one_address_has_only_so_many_open_tickets(store: TicketStore) -> None:
    first = await new(store, "a-1", 0, ip="203.0.113.5")
    await new(store, "a-2", 3, ip="203.0.113.5")
    queue_before = await store.queue()
    with pytest.raises(TooManyOpen, match="2 tickets are open from this client address"):
        await new(store, "a-3", 5, ip="203.0.113.5")
    assert await store.queue() == queue_before and await store.open_ticket_of("a-3") is None  # nothing changed
    assert await new(store, "b-1", 0, ip="198.51.100.1")  # another address is not affected
    await store.close(first, "ola", Outcome.RESOLVED, is_admin=True)
    assert await new(store, "a-3", 5, ip="203.0.113.5")  # a closed ticket frees its place


async def test_concurrent_requests_from_one_address_get_exactly_the_cap(store: TicketStore) -> None:
    results = await asyncio.gather(*(new(store, f"c-{i}", 1, ip="2001:db8::1") for i in range(12)),
                                   return_exceptions=True)
    assert sum(isinstance(r, str) for r in results) == 2
    assert sum(isinstance(r, TooManyOpen) for r in results) == 10


async def test_concurrent_cold_tickets_fill_the_minute_exactly(store: TicketStore) -> None:
    await asyncio.gather(*(new(store, f"c-{i}", 0, NOW + 1) for i in range(20)))
    assert await store.redis.zcard(keys.QUEUE) == 3 and await store.redis.zcard(keys.OVERFLOW) == 17
    assert await store.redis.get(keys.admitted(int(NOW // 60))) == "3"


async def test_the_same_conversation_twice_at_once_makes_one_ticket_and_takes_one_place(store: TicketStore) -> None:
    # Room in the minute for all five: with three places the winner may be the fourth to ask and be held back.
    store = TicketStore(store.redis, caps=TicketCaps(new_per_minute=5))
    results = await asyncio.gather(*(store.create("same", "rest", "pl", "", [], [], now=NOW) for _ in range(5)))
    assert len({t.id for t, _ in results}) == 1 and sum(created for _, created in results) == 1
    assert await store.redis.get(keys.admitted(int(NOW // 60))) == "1"
