"""Prometheus metrics of the Rasa server: ``GET /metrics`` and request latency per route on the app
Rasa builds (``rasa.core.run.configure_app``), messages per channel (``Agent.handle_message``),
and Redis errors met by the stores (``bot.rasa_side.retry``); the metrics are defined in
``bot.rasa_side.metrics``.

``/metrics`` takes Rasa's API token (``Authorization: Bearer $RASA_TOKEN``, compared as
``patches.api_token`` does); with no token it answers 401, so the figures never show on the
public port that HAProxy forwards to. Counted in the process (prometheus_client's default
registry, with its process and Python collectors): with several Rasa servers Prometheus sums them.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import REGISTRY, disable_created_metrics, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

from bot.core.sanic_timing import time_requests
from bot.rasa_side.metrics import MESSAGE_SECONDS, MESSAGES, REQUEST_SECONDS, REQUESTS
from bot.rasa_side.patches.api_token import token_matches

_original_configure: Any = None
_original_handle: Any = None


def route_of(request: Any) -> str:
    """The route's pattern, never the raw path (a webhook's path may hold an id)."""
    return f"/{request.route.path}".replace("//", "/") if getattr(request, "route", None) else "unmatched"


def add_metrics(app: Any, token: str | None) -> None:
    from sanic import response

    async def metrics(request: Any) -> Any:
        if not token or not token_matches(request, token):
            return response.json({"error": "missing or wrong token (Authorization: Bearer $RASA_TOKEN)"}, status=401)
        return response.raw(generate_latest(REGISTRY),
                            headers={"Content-Type": CONTENT_TYPE_PLAIN_0_0_4, "Cache-Control": "no-store"})


    app.add_route(metrics, "/metrics", methods=["GET"], name="metrics")
    time_requests(app, REQUESTS, REQUEST_SECONDS, route_of, untimed=("/socket.io", "/socket.io/"))


def _token_of(input_channels: Any = None, cors: Any = None, auth_token: str | None = None, *_: Any,
              **__: Any) -> str | None:
    """``auth_token`` as Rasa 3.6's ``configure_app`` takes it (third, or by name); read from its
    arguments because another patch may wrap the function in ``*args, **kwargs`` first."""
    return auth_token


def _configure_app(*args: Any, **kwargs: Any) -> Any:
    app = _original_configure(*args, **kwargs)
    add_metrics(app, _token_of(*args, **kwargs))
    return app


async def _handle_message(self: Any, message: Any) -> Any:
    channel = str(getattr(message, "input_channel", None) or "unknown")
    MESSAGES.labels(channel).inc()
    with MESSAGE_SECONDS.labels(channel).time():
        return await _original_handle(self, message)


def install() -> None:
    global _original_configure, _original_handle
    import rasa.core.run
    from rasa.core.agent import Agent

    disable_created_metrics()  # type: ignore[no-untyped-call]  # nothing reads the *_created series
    if _original_configure is None:
        _original_configure = rasa.core.run.configure_app
        _original_handle = Agent.handle_message
    rasa.core.run.configure_app = _configure_app
    Agent.handle_message = _handle_message
