"""Request counts and latency per route pattern on a Sanic app: the action server's (rasa-sdk's
Sanic) and the Rasa server's (Sanic 21, Python 3.10), which name a request's route differently
(``route_of``). No import of Sanic or prometheus_client here: both venvs pass their own."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from typing import Any


def time_requests(app: Any, requests: Any, seconds: Any, route_of: Callable[[Any], str],
                  untimed: Collection[str] = ()) -> None:
    """``requests`` (a Counter labelled method, route, status class) and ``seconds`` (a Histogram
    labelled method, route) from a request and a response middleware; routes in ``untimed``
    (a socket's lifetime is no request latency) are counted, not timed."""

    async def started(request: Any) -> None:
        request.ctx.metrics_started = time.perf_counter()

    async def finished(request: Any, answer: Any) -> None:
        route = route_of(request)
        requests.labels(request.method, route, f"{answer.status // 100}xx").inc()
        began = getattr(request.ctx, "metrics_started", None)
        if began is not None and route not in untimed:
            seconds.labels(request.method, route).observe(time.perf_counter() - began)

    app.register_middleware(started, "request")
    app.register_middleware(finished, "response")
