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
import psutil

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


def latency_summary(latencies_ms: Sequence[float]) -> dict[str, float]:
    """Median, p95 and p99 in ms, to 0.1 ms; NaN when nothing was measured."""
    median = statistics.median(latencies_ms) if latencies_ms else float("nan")
    return {"median_ms": round(median, 1), "p95_ms": round(percentile(latencies_ms, 95), 1),
            "p99_ms": round(percentile(latencies_ms, 99), 1)}


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


def dev_questions(path: str = "faq_corpus/dev/faq_dev.jsonl") -> list[str]:
    """Held-out customer questions: texts the brain was not built from."""
    import json

    with open(path, encoding="utf-8") as lines:
        return [json.loads(line)["text"] for line in lines if line.strip()]


async def open_loop(base_url: str, rate: float, seconds: float, questions: Sequence[str], turns: int = 8,
                    seed: int = 0) -> LoadResult:
    """Poisson arrivals at ``rate`` messages/s, whatever the replies' speed (an open loop).

    Each arrival is the next turn of a conversation that is not waiting for a reply, or opens
    a new one: a greeting, ``turns - 2`` questions dealt from ``questions`` (no question twice
    until every one has been asked) and a thanks."""
    import random

    rng = random.Random(seed)
    url = f"{base_url}/webhooks/rest/webhook"
    latencies: list[float] = []
    errors = 0
    idle: list[tuple[str, list[str]]] = []
    tasks: list[asyncio.Task[None]] = []

    deck: list[str] = []

    def deal(count: int) -> list[str]:
        """The next questions of a shuffled deck: none twice until all have been asked."""
        while len(deck) < count:
            fresh = list(questions)
            rng.shuffle(fresh)
            deck.extend(fresh)
        dealt = deck[:count]
        del deck[:count]
        return dealt

    def new_conversation() -> tuple[str, list[str]]:
        english = rng.random() < 0.3
        middle = deal(turns - 2)
        return f"open-{uuid.uuid4().hex[:12]}", ["hello" if english else "cześć", *middle,
                                                  "thanks" if english else "dzięki"]

    async def one(session: aiohttp.ClientSession, sender: str, script: list[str]) -> None:
        nonlocal errors
        text, rest = script[0], script[1:]
        try:
            latencies.append(await send(session, url, sender, text))
        except (aiohttp.ClientError, RuntimeError, asyncio.TimeoutError):
            errors += 1
        if rest:
            idle.append((sender, rest))

    started = time.perf_counter()
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60), connector=connector) as session:
        next_at = started
        while next_at - started < seconds:
            await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
            sender, script = idle.pop(0) if idle else new_conversation()
            tasks.append(asyncio.create_task(one(session, sender, script)))
            next_at += rng.expovariate(rate)
        await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - started
    return LoadResult(
        round(rate), round(elapsed, 2), len(latencies), errors, round(len(latencies) / elapsed, 1),
        round(statistics.median(latencies), 1) if latencies else float("nan"),
        round(percentile(latencies, 95), 1), round(percentile(latencies, 99), 1),
    )


def memory_mb(pids: dict[str, int]) -> dict[str, float]:
    out = {}
    for name, pid in pids.items():
        try:
            out[name] = round(psutil.Process(pid).memory_info().rss / 2**20, 1)
        except psutil.Error:
            out[name] = float("nan")
    return out
