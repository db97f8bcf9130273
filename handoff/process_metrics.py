"""What this handoff process did: request latency per route, Redis errors, background-loop heartbeats.

These are counted in the process (prometheus_client's default registry, next to its process and
Python collectors): each replica reports its own, and Prometheus adds them up across
``instance``. What the replicas share (queue, tickets, counters kept in Redis) is never counted
here: ``handoff.metrics`` reads it from Redis at scrape time.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import Counter, Gauge, Histogram
from redis.exceptions import RedisError

# Console pages and API calls take milliseconds; a slow Redis or Rasa shows in the upper ones.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
UNMATCHED = "unmatched"  # a request no route took (404s): one label, never the raw path

REQUEST_SECONDS = Histogram("volta_handoff_http_request_duration_seconds",
                            "Handoff service request latency by route pattern (WebSockets excluded)",
                            ["method", "route"], buckets=LATENCY_BUCKETS)
REQUESTS = Counter("volta_handoff_http_requests", "Handoff service requests by route pattern and status class",
                   ["method", "route", "status"])
REDIS_ERRORS = Counter("volta_handoff_redis_errors", "Redis errors met by this handoff process, by where",
                       ["where"])
LOOP_HEARTBEAT = Gauge("volta_handoff_loop_last_pass_timestamp_seconds",
                       "When a background loop of this process last finished a pass (Unix time)", ["loop"])

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def route_of(request: web.Request) -> str:
    """The route's pattern (``/api/tickets/{id}``), so labels stay few whatever the paths."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else UNMATCHED


def status_class(status: int) -> str:
    return f"{status // 100}xx"


def redis_error(error: BaseException, where: str) -> None:
    """Count ``error`` if it is Redis's (the loops catch every error; only Redis's count here)."""
    if isinstance(error, RedisError):
        REDIS_ERRORS.labels(where).inc()


def beat(loop: str) -> None:
    """A loop finished a pass: a stalled loop shows as an old timestamp (``ops/prometheus/alerts.yml``)."""
    LOOP_HEARTBEAT.labels(loop).set_to_current_time()


@web.middleware
async def metrics_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    started, status, websocket = time.perf_counter(), 500, False
    try:
        response = await handler(request)
        status, websocket = response.status, isinstance(response, web.WebSocketResponse)
        return response
    except web.HTTPException as e:  # redirects and errors raised as exceptions
        status = e.status
        raise
    finally:
        route = route_of(request)
        REQUESTS.labels(request.method, route, status_class(status)).inc()
        if not websocket:  # a WebSocket's lifetime (the live feed) is no request latency
            REQUEST_SECONDS.labels(request.method, route).observe(time.perf_counter() - started)


@web.middleware
async def redis_errors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Inside the errors middleware, which answers 503 for Redis away: count the error first."""
    try:
        return await handler(request)
    except RedisError:
        REDIS_ERRORS.labels("request").inc()
        raise
