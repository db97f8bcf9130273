"""Queue and service figures: JSON for the stats page, Prometheus at ``/metrics`` (prometheus_client).

What the replicas share (the queue, open tickets, counters kept in Redis, the duration histograms,
ratings) is read from Redis at scrape time and exported as metric families, never counted in a
process: every replica shows the same values, so dashboards and alerts take ``max`` of them across
instances, not ``sum``. What one process did (request latency, Redis errors, loop heartbeats,
process and Python figures) comes from prometheus_client's default registry
(``handoff.process_metrics``) and is summed across instances.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aiohttp import web
from prometheus_client import REGISTRY, disable_created_metrics, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.registry import Collector

from bot.core import keys
from handoff import clock, durations
from handoff.appkeys import REDIS, SETTINGS, TICKETS
from handoff.models import TicketState
from handoff.ratings import satisfaction, satisfaction_families

HELP = {
    "queue_length": "Tickets waiting for a moderator",
    "open_tickets": "Tickets not resolved (waiting or owned by a moderator)",
    "oldest_wait_seconds": "How long the longest-waiting ticket has waited",
    "sla_breaches_open": "Open tickets past the first-response target without a reply",
    "tickets_created_total": "Conversations handed to people",
    "first_responses_total": "Tickets that got a first human reply",
    "reply_breaches_total": "Later human replies that came after their SLA target",
    "first_response_seconds_avg": "Average time from handoff to the first human reply",
    "resolved_total": "Tickets resolved by a moderator",
    "handed_back_total": "Tickets handed back to the bot",
    "resolution_seconds_avg": "Average time from handoff to closing",
    "conversations_total": "Conversations seen (approximate count)",
    "handoff_rate": "Share of conversations handed to people",
    "bot_resolved_share": "Share of conversations the bot handled alone",
}
# Lifetime averages stay in the stats page's JSON; Prometheus gets the histograms
# (volta_handoff_first_response_seconds, volta_handoff_resolution_seconds) instead.
JSON_ONLY = frozenset({"first_response_seconds_avg", "resolution_seconds_avg"})
OPEN_STATES = (TicketState.QUEUED, TicketState.ASSIGNED)


def _number(raw: Any) -> float:
    return float(raw) if raw else 0.0


async def snapshot(app: web.Application) -> dict[str, float]:
    return (await _read(app))[0]


async def _read(app: web.Application) -> tuple[dict[str, float], dict[str, float]]:
    """The figures, and the open tickets per state."""
    client, now = app[REDIS], clock.now()
    stats = {k: _number(v) for k, v in (await client.hgetall(keys.STATS)).items()}
    open_tickets = await app[TICKETS].open_tickets()
    waiting = [t for t in open_tickets if t.state == TicketState.QUEUED]
    sla_seconds = app[SETTINGS].sla_minutes * 60
    created, conversations = stats.get("tickets_created", 0.0), float(await client.pfcount(keys.CONVERSATIONS))
    first = stats.get("first_responses", 0.0)
    closed = stats.get("closed_resolved", 0.0) + stats.get("closed_handed_back", 0.0)
    rate = min(created / conversations, 1.0) if conversations else 0.0
    by_state = {state.value: float(sum(1 for t in open_tickets if t.state == state)) for state in OPEN_STATES}
    return {
        "queue_length": float(len(waiting)),
        "open_tickets": float(len(open_tickets)),
        "oldest_wait_seconds": max((now - t.created_at for t in waiting), default=0.0),
        "sla_breaches_open": float(sum(1 for t in open_tickets
                                       if t.first_response_at is None and now - t.created_at > sla_seconds)),
        "tickets_created_total": created,
        "first_responses_total": first,
        "reply_breaches_total": stats.get("reply_breaches", 0.0),  # later replies after their target (handoff.sla)
        "first_response_seconds_avg": stats.get("first_response_seconds", 0.0) / first if first else 0.0,
        "resolved_total": stats.get("closed_resolved", 0.0),
        "handed_back_total": stats.get("closed_handed_back", 0.0),
        "resolution_seconds_avg": stats.get("resolution_seconds", 0.0) / closed if closed else 0.0,
        "conversations_total": conversations,
        "handoff_rate": rate,
        "bot_resolved_share": 1.0 - rate if conversations else 0.0,
    }, by_state


def figure_families(values: dict[str, float], by_state: dict[str, float]) -> list[Metric]:
    families: list[Metric] = []
    for name, value in values.items():
        if name in JSON_ONLY:
            continue
        kind = CounterMetricFamily if name.endswith("_total") else GaugeMetricFamily
        families.append(kind(f"volta_handoff_{name}", HELP[name], value=value))
    tickets = GaugeMetricFamily("volta_handoff_tickets", "Open tickets by state", labels=["state"])
    for state, count in by_state.items():
        tickets.add_metric([state], count)
    return [*families, tickets]


async def shared_families(app: web.Application) -> list[Metric]:
    """Everything the replicas share, read from Redis now."""
    values, by_state = await _read(app)
    ratings = satisfaction_families(await satisfaction(app[REDIS]))
    return [*figure_families(values, by_state), *ratings, *await durations.families(app[REDIS])]


class Scrape:
    """One scrape's metrics: this process's registry, then what was read from Redis for it."""

    def __init__(self, registry: Collector, shared: Iterable[Metric]) -> None:
        self.registry, self.shared = registry, list(shared)

    def collect(self) -> Iterable[Metric]:
        yield from self.registry.collect()
        yield from self.shared


def render(shared: Iterable[Metric], registry: Collector = REGISTRY) -> bytes:
    """The text format (0.0.4) that ``generate_latest`` writes and Prometheus 2 reads."""
    return generate_latest(Scrape(registry, shared))


def setup_metrics() -> None:
    """At app creation: no ``*_created`` series (nothing reads them; they double the series count)."""
    disable_created_metrics()  # type: ignore[no-untyped-call]  # prometheus_client leaves it unannotated


async def metrics(request: web.Request) -> web.Response:
    body = render(await shared_families(request.app))
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_PLAIN_0_0_4, "Cache-Control": "no-store"})
