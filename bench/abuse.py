"""A bounded flood against the running stack, with real customers and moderators beside it.

Driven by ``make test-abuse`` (tests/abuse/test_abuse.py), which starts the stack behind
HAProxy's public frontend (ops/edge.py). Everything goes to loopback addresses only, each
client from its own address in 127.0.0.0/8, for at most ``Plan.flood_seconds``:

1. quiet: ten customers chat through the widget (a FAQ question, a follow-up, a person) while
   two moderators take tickets from the top of the queue: the quiet latency;
2. flood: widget sessions opened and filled from many addresses, signed Messenger webhooks
   from many PSIDs, cold ticket requests from new conversations, REST and plain HTTP bursts,
   bad sign-ins to the console; meanwhile ten more real customers do the same as in 1.

The report: real messages answered and their latency (quiet and under the flood), fake tickets
that reached the queue, how many flood tickets stood ahead of each real customer's ticket,
the handoff service's loop lag (``/health`` timed from outside), and whether every message
a client was told was accepted is stored. ``var/test-abuse/report.{json,md}`` and
``bench/results/abuse.md``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import statistics
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

import aiohttp
import redis.asyncio as aioredis

from bench import report_files
from bench.abuse_clients import HTTP_TIMEOUT, Customer, Moderator
from bench.abuse_flood import Flood
from bench.load import percentile
from bench.mixed_load import machine
from bench.report_files import RESULTS
from bot.core import keys
from ops.processes import REPO

REPORT_DIR = REPO / "var" / "test-abuse"
CUSTOMERS = 10  # real customers in each phase
FLOOD_SECONDS = 60.0
FLOOD_HEAD_START = 8.0  # seconds of flood before the real customers arrive
MODERATOR_SECONDS_PER_TICKET = 1.0
HUMAN_TIMEOUT = 45.0  # seconds a real customer waits for a person's reply
LAG_PROBE_EVERY = 0.25
QUEUE_LOOK_EVERY = 0.5
DRAIN_SECONDS = 60.0  # for the Messenger inbox after the flood


@dataclass(frozen=True)
class Targets:
    public_url: str  # HAProxy's public frontend
    handoff_url: str  # the handoff service itself (its /health, for the loop lag)
    redis_url: str
    messenger_secret: str
    moderators: tuple[tuple[str, str], ...]  # (login, password)


@dataclass(frozen=True)
class Plan:
    customers: int = CUSTOMERS
    flood_seconds: float = FLOOD_SECONDS
    head_start: float = FLOOD_HEAD_START
    moderator_seconds_per_ticket: float = MODERATOR_SECONDS_PER_TICKET


@dataclass
class Watch:
    """The queue as Redis holds it (first served first), sampled: flood tickets ahead of each
    real customer's ticket, and every fake ticket that reached the queue."""

    real: set[str] = field(default_factory=set)
    ahead: dict[str, int] = field(default_factory=dict)  # conversation -> most flood tickets ever ahead
    fake_queued: set[str] = field(default_factory=set)
    queue_peak: int = 0
    conversations: dict[str, str] = field(default_factory=dict)  # ticket id -> conversation id

    async def look(self, client: aioredis.Redis) -> None:
        queue = [str(t) for t in await client.zrange(keys.QUEUE, 0, -1)]
        self.queue_peak = max(self.queue_peak, len(queue))
        flood_so_far = 0
        for ticket in queue:
            if ticket not in self.conversations:
                self.conversations[ticket] = str(await client.hget(keys.ticket(ticket), "conversation_id"))
            conversation = self.conversations[ticket]
            if conversation in self.real:
                self.ahead[conversation] = max(self.ahead.get(conversation, 0), flood_so_far)
            else:
                flood_so_far += 1
                self.fake_queued.add(ticket)

    async def follow(self, client: aioredis.Redis, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.look(client)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), QUEUE_LOOK_EVERY)


async def lag_probe(http: Any, url: str, stop: asyncio.Event, into: list[float]) -> None:
    while not stop.is_set():
        started = time.monotonic()
        try:
            async with http.get(f"{url}/health") as r:
                await r.read()
            into.append((time.monotonic() - started) * 1000)
        except Exception:
            into.append(30_000.0)
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), LAG_PROBE_EVERY)


def summary(values: list[float]) -> dict[str, float]:
    if not values:
        return {"count": 0}
    return {"count": len(values), "median_ms": round(statistics.median(values), 1),
            "p95_ms": round(percentile(values, 95), 1), "max_ms": round(max(values), 1)}


async def customers_phase(targets: Targets, plan: Plan, octet: int, watch: Watch) -> list[Customer]:
    """Real customers from 127.0.<octet>.1…, arriving half a second apart."""
    people = [Customer(f"c{octet}-{i}", f"127.0.{octet}.{i + 1}") for i in range(plan.customers)]

    async def one(customer: Customer, delay: float) -> None:
        await asyncio.sleep(delay)
        task = asyncio.create_task(customer.run(targets.public_url, HUMAN_TIMEOUT))
        while not customer.conversation and not task.done():
            await asyncio.sleep(0.05)
        watch.real.add(customer.conversation)
        await task

    await asyncio.gather(*(one(c, i * 0.5) for i, c in enumerate(people)))
    return people


def customer_figures(people: list[Customer], watch: Watch) -> dict[str, Any]:
    latencies = [ms for c in people for ms in c.latencies_ms]
    return {
        "customers": len(people), "messages_sent": sum(len(c.answered) + len(c.unanswered) for c in people),
        "messages_answered": sum(len(c.answered) for c in people), "latency": summary(latencies),
        "handed_over": sum(c.handed_over for c in people),
        "human_replied": sum(c.human_reply_seconds is not None for c in people),
        "human_reply_seconds": sorted(c.human_reply_seconds for c in people if c.human_reply_seconds is not None),
        "flood_tickets_ahead": {c.name: watch.ahead.get(c.conversation) for c in people},
        "errors": [f"{c.name}: {c.error}" for c in people if c.error],
    }


async def stored_texts(client: aioredis.Redis, conversation: str) -> list[str]:
    raw = await client.lrange(keys.TrackerKeys().events(conversation), 0, -1)
    return [str(e.get("text")) for e in map(json.loads, raw) if e.get("event") == "user"]


async def missing(client: aioredis.Redis, accepted: dict[str, list[str]]) -> dict[str, list[str]]:
    """Accepted texts not stored in their conversation (a text stored once covers one acceptance)."""
    out: dict[str, list[str]] = {}
    for conversation, texts in accepted.items():
        stored = Counter(await stored_texts(client, conversation))
        stored.subtract(texts)
        lost = [t for t, n in stored.items() if n < 0 for _ in range(-n)]
        if lost:
            out[conversation] = lost
    return out


async def inbox_drained(client: aioredis.Redis, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while await client.xlen(keys.MessengerKeys().inbox):
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.5)
    return True


async def fake_tickets(client: aioredis.Redis, real: set[str]) -> dict[str, int]:
    """Tickets of conversations that are not real customers', by state, and those held back."""
    counts: Counter[str] = Counter()
    for ticket in await client.zrange(keys.ALL, 0, -1):
        conversation, state = await client.hmget(keys.ticket(str(ticket)), ["conversation_id", "state"])
        conversation, state = str(conversation), str(state)
        if conversation not in real:
            counts["created"] += 1
            counts[f"now_{state}"] += 1
    counts["held_back_now"] = int(await client.zcard(keys.OVERFLOW)) if hasattr(keys, "OVERFLOW") else 0
    return dict(counts)


async def _flood_phase(targets: Targets, plan: Plan, watch: Watch, lag: list[float],
                       probe_http: aiohttp.ClientSession) -> tuple[list[Customer], Flood, float]:
    """The flood for ``plan.flood_seconds``; the real customers join after ``plan.head_start``."""
    flood = Flood(targets.public_url, targets.messenger_secret, targets.moderators[0][0])
    stop = asyncio.Event()
    tasks = [*flood.tasks(stop), asyncio.create_task(lag_probe(probe_http, targets.handoff_url, stop, lag))]
    started = time.monotonic()
    await asyncio.sleep(plan.head_start)
    real = asyncio.create_task(customers_phase(targets, plan, 2, watch))
    await asyncio.wait([real], timeout=max(0.0, plan.flood_seconds - (time.monotonic() - started)))
    stop.set()
    await asyncio.gather(*tasks)
    flooded = time.monotonic() - started
    return await real, flood, flooded


async def run(targets: Targets, plan: Plan | None = None) -> dict[str, Any]:
    """The quiet phase, then the flood; the report (also written to disk)."""
    plan = plan or Plan()
    client = aioredis.from_url(targets.redis_url, decode_responses=True)
    moderators = [Moderator(login, password, targets.public_url, f"127.0.3.{n + 1}")
                  for n, (login, password) in enumerate(targets.moderators)]
    watch, stop = Watch(), asyncio.Event()
    lag_quiet: list[float] = []
    lag_flood: list[float] = []
    try:
        for moderator in moderators:
            await moderator.sign_in()
        background = [asyncio.create_task(m.work(stop, plan.moderator_seconds_per_ticket)) for m in moderators]
        background.append(asyncio.create_task(watch.follow(client, stop)))
        async with aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as probe_http:
            quiet_done = asyncio.Event()
            probe = asyncio.create_task(lag_probe(probe_http, targets.handoff_url, quiet_done, lag_quiet))
            quiet = await customers_phase(targets, plan, 1, watch)
            quiet_done.set()
            await probe
            real, flood, flooded = await _flood_phase(targets, plan, watch, lag_flood, probe_http)
        stop.set()
        await asyncio.gather(*background)
        drained = await inbox_drained(client, DRAIN_SECONDS)
        report = {
            "machine": f"{machine()}, {len(os.sched_getaffinity(0))} cores; this run's clients share them",
            "plan": asdict(plan), "flood_seconds": round(flooded, 1),
            "quiet": customer_figures(quiet, watch), "flood": customer_figures(real, watch),
            "handoff_health_ms": {"quiet": summary(lag_quiet), "flood": summary(lag_flood)},
            "flood_traffic": {kind: dict(c) for kind, c in flood.ledger.statuses.items()},
            "cold_ticket_requests": flood.ledger.cold_requests,
            "fake_tickets": {**await fake_tickets(client, watch.real), "reached_queue": len(watch.fake_queued),
                             "queue_peak": watch.queue_peak},
            "moderators": {m.login: {"served": len(m.served), "statuses": dict(m.statuses)} for m in moderators},
            "stored": await _stored(client, quiet + real, flood, drained),
        }
    finally:
        stop.set()
        for moderator in moderators:
            await moderator.close()
        await client.aclose()
    report["targets"] = targets_met(report)
    write_report(report)
    return report


async def _stored(client: aioredis.Redis, people: list[Customer], flood: Flood, drained: bool) -> dict[str, Any]:
    real_missing = await missing(client, {c.conversation: c.answered for c in people if c.conversation})
    messenger_missing = await missing(client, flood.ledger.accepted)
    emitted = sum(len(t) for t in flood.ledger.emitted.values())
    widget_stored = 0
    for conversation, texts in flood.ledger.emitted.items():
        widget_stored += len(set(texts) & set(await stored_texts(client, conversation)))
    return {"inbox_drained": drained, "real_answered_not_stored": real_missing,
            "messenger_accepted": sum(len(t) for t in flood.ledger.accepted.values()),
            "messenger_accepted_not_stored": sum(len(t) for t in messenger_missing.values()),
            "widget_flood_emitted": emitted, "widget_flood_stored": widget_stored}


def targets_met(report: dict[str, Any]) -> dict[str, bool]:
    quiet, flood, stored = report["quiet"], report["flood"], report["stored"]
    quiet_median = quiet["latency"].get("median_ms")
    flood_median = flood["latency"].get("median_ms")
    return {
        "every_real_customer_answered": all(
            p["messages_answered"] == p["messages_sent"] and p["human_replied"] == p["customers"] and not p["errors"]
            for p in (quiet, flood)),
        "median_latency_at_most_twice_quiet": bool(quiet_median and flood_median
                                                   and flood_median <= 2 * quiet_median),
        "no_real_ticket_behind_flood_tickets": all(not n for n in flood["flood_tickets_ahead"].values()),
        "every_accepted_message_stored": stored["inbox_drained"] and not stored["real_answered_not_stored"]
        and stored["messenger_accepted_not_stored"] == 0,
    }


def markdown(report: dict[str, Any]) -> str:
    lines = ["# Abuse: a bounded flood beside real customers", "",
             "Command: `make test-abuse` (tests/abuse/test_abuse.py, bench/abuse.py): the single-machine stack "
             "behind HAProxy's public frontend (ops/edge.py), every client on its own loopback address.", "",
             "| target | met |", "|---|---|"]
    lines += [f"| {name.replace('_', ' ')} | {'yes' if met else 'NO'} |" for name, met in report["targets"].items()]
    lines.append("")
    lines += [f"- {name}: `{json.dumps(value, ensure_ascii=False)}`" for name, value in report.items()
              if name != "targets"]
    return "\n".join(lines) + "\n"


def write_report(report: dict[str, Any]) -> None:
    text = markdown(report)
    report_files.write(REPORT_DIR / "report", report, text)
    (RESULTS / "abuse.md").write_text(text)  # the table only: the run's details stay in var/
