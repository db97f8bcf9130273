"""A small asyncio load client for Rasa's REST channel.

Closed loop: ``customers`` simulated customers each hold conversations of
``turns`` messages back to back for ``seconds``; every reply is timed.
"""

from __future__ import annotations

import asyncio
import itertools
import statistics
import time
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import aiohttp

# A customer's conversation: greeting, FAQ questions in both languages, thanks.
CONVERSATION_PL = [
    "cześć",
    "gdzie jest moja paczka?",
    "ile kosztuje dostawa kurierem",
    "jak zwrocic produkt",
    "czy moge zaplacic blikiem",
    "kiedy dostane zwrot pieniedzy",
    "jak zlozyc reklamacje",
    "dzięki",
]
CONVERSATION_EN = [
    "hello",
    "where is my order",
    "how much is delivery",
    "how do I return a product",
    "can I pay by card",
    "when will I get my refund",
    "how do I file a complaint",
    "thanks",
]


@dataclass
class LoadResult:
    customers: int
    seconds: float
    messages: int
    errors: int
    throughput: float
    median_ms: float
    p95_ms: float
    p99_ms: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def send(session: aiohttp.ClientSession, url: str, sender: str, text: str) -> float:
    started = time.perf_counter()
    async with session.post(url, json={"sender": sender, "message": text}) as response:
        await response.read()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}")
    return (time.perf_counter() - started) * 1000


async def closed_loop(base_url: str, customers: int, seconds: float, turns: int = 8) -> LoadResult:
    url = f"{base_url}/webhooks/rest/webhook"
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def customer(n: int, session: aiohttp.ClientSession) -> None:
        nonlocal errors
        script = CONVERSATION_PL if n % 3 else CONVERSATION_EN
        while time.perf_counter() < deadline:
            sender = f"load-{uuid.uuid4().hex[:12]}"
            for text in itertools.islice(itertools.cycle(script), turns):
                if time.perf_counter() >= deadline:
                    return
                try:
                    latencies.append(await send(session, url, sender, text))
                except (aiohttp.ClientError, RuntimeError, asyncio.TimeoutError):
                    errors += 1

    timeout = aiohttp.ClientTimeout(total=60)
    connector = aiohttp.TCPConnector(limit=customers)
    started = time.perf_counter()
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        await asyncio.gather(*(customer(i, session) for i in range(customers)))
    elapsed = time.perf_counter() - started
    return LoadResult(
        customers, round(elapsed, 2), len(latencies), errors, round(len(latencies) / elapsed, 1),
        round(statistics.median(latencies), 1) if latencies else float("nan"),
        round(percentile(latencies, 95), 1), round(percentile(latencies, 99), 1),
    )


async def long_conversation(base_url: str, turns: int) -> list[float]:
    """Latency of each turn of one conversation of ``turns`` messages."""
    url = f"{base_url}/webhooks/rest/webhook"
    sender = f"long-{uuid.uuid4().hex[:12]}"
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        script = itertools.cycle(CONVERSATION_PL[1:-1])
        return [await send(session, url, sender, next(script)) for _ in range(turns)]
