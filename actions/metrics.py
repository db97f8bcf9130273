"""The action server's Prometheus metrics: time per brain step, decisions by outcome and reason, the
index in use, request latency per route; ``GET /metrics`` on rasa-sdk's Sanic app.

``/metrics`` sits on the action server's own app and port rather than a second port: the port is
already loopback-only and known to the units and HAProxy's checks, and a scrape that answers
proves the loop that serves actions answers too. It takes the handoff service's scrape credential,
``Authorization: Bearer $HANDOFF_SERVICE_TOKEN`` (as the handoff service's ``/metrics`` does).

The brain's steps are timed by wrapping the methods of the loaded brain's parts (``observe``), so
``bot.brain`` stays free of metrics and the offline tools that load it count nothing. Embedding
is timed only when it runs: a message read ahead by ``/prefetch`` is cached and not embedded again.
The action server keeps no Redis connection (``actions/readiness.py``), so it has no Redis errors.
"""

from __future__ import annotations

import calendar
import functools
import hmac
import time
from collections.abc import Callable, Iterable
from typing import Any

from prometheus_client import REGISTRY, Counter, Histogram, disable_created_metrics, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.brain.brain import Brain, Decision
from bot.core.sanic_timing import time_requests

# An embedding takes 5-30 ms on 2 cores, a search under 2 ms, a whole decision 20-60 ms.
STEP_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

STEP_SECONDS = Histogram("volta_brain_step_seconds", "Time per brain step (embed, search, classify, decide)",
                         ["step"], buckets=STEP_BUCKETS)
DECISIONS = Counter("volta_brain_decisions", "Brain decisions by outcome and reason (a decision with two "
                    "reasons counts once per reason)", ["decision", "reason"])
REQUEST_SECONDS = Histogram("volta_actions_http_request_duration_seconds",
                            "Action server request latency by route pattern", ["method", "route"],
                            buckets=REQUEST_BUCKETS)
REQUESTS = Counter("volta_actions_http_requests", "Action server requests by route pattern and status class",
                   ["method", "route", "status"])
# the parts of a loaded brain whose methods are the steps: (attribute path, method, step)
STEPS = (("reader.embedder", "encode_queries", "embed"), ("reader.index", "search", "search"),
         ("reader.classifier", "ranked", "classify"), ("", "decide", "decide"))


def _timed(method: Callable[..., Any], step: str) -> Callable[..., Any]:
    child = STEP_SECONDS.labels(step)

    @functools.wraps(method)
    def timed(*args: Any, **kwargs: Any) -> Any:
        with child.time():
            return method(*args, **kwargs)

    return timed


def observe(brain: Brain) -> Brain:
    """``brain`` with its steps timed, on the brain thread (time waiting for the thread excluded)."""
    for path, name, step in STEPS:
        part = functools.reduce(getattr, path.split("."), brain) if path else brain
        setattr(part, name, _timed(getattr(part, name), step))
    return brain


def decided(decision: Decision) -> None:
    for reason in decision.reasons or [""]:
        DECISIONS.labels(decision.decision, reason).inc()


def built_at(brain: Brain) -> float | None:
    """When the brain's index version was built (``meta.json``'s ``built_at``), as Unix time."""
    try:
        return float(calendar.timegm(time.strptime(str(brain.index.meta["built_at"]), "%Y-%m-%dT%H:%M:%SZ")))
    except (KeyError, ValueError):
        return None


class IndexCollector:
    """The index version in use and its age, read at scrape time from the brain in use."""

    def __init__(self, current: Callable[[], Brain | None]) -> None:
        self.current = current

    def collect(self) -> Iterable[Metric]:
        brain = self.current()
        info = GaugeMetricFamily("volta_brain_index_info", "The index version in use (value 1)", labels=["version"])
        age = GaugeMetricFamily("volta_brain_index_age_seconds", "Time since the index in use was built")
        if brain is not None:
            info.add_metric([brain.version], 1)
            built = built_at(brain)
            if built is not None:
                age.add_metric([], time.time() - built)
        return [info, age]


class Scrape:
    def __init__(self, *sources: Any) -> None:
        self.sources = sources

    def collect(self) -> Iterable[Metric]:
        for source in self.sources:
            yield from source.collect()


def authorized(request: Request, token: str) -> bool:
    given = str(request.headers.get("Authorization") or "")
    return bool(token) and hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


def route_of(request: Request) -> str:
    template = request.uri_template if request.route is not None else None
    return template or "unmatched"


def add_metrics(app: Sanic[Any, Any], token: str, current: Callable[[], Brain | None]) -> None:
    """``GET /metrics`` and the request-latency middleware on the action server's app."""
    index = IndexCollector(current)
    disable_created_metrics()  # type: ignore[no-untyped-call]  # nothing reads *_created; unannotated upstream

    async def metrics(request: Request) -> HTTPResponse:
        if not authorized(request, token):
            return response.json({"error": "missing or wrong service token (Authorization: Bearer ...)"}, status=401)
        body = generate_latest(Scrape(REGISTRY, index))
        return response.raw(body, headers={"Content-Type": CONTENT_TYPE_PLAIN_0_0_4, "Cache-Control": "no-store"})


    app.add_route(metrics, "/metrics", methods=["GET"], name="metrics")
    time_requests(app, REQUESTS, REQUEST_SECONDS, route_of)
