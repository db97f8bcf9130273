"""``GET /health`` and ``GET /ready`` on the Rasa server, added to the app Rasa builds
(``rasa.core.run.configure_app``), outside the token (HAProxy's checks and the systemd unit's
start call them; ``ops/systemd/``). Rasa's own ``/`` answers before anything is checked, and its
``/status`` needs the token.

``/health``: the process answers. ``/ready``: the model is loaded, the tracker store's Redis
answers, and every loop in ``bot.rasa_side.loops`` (the Messenger inbox worker) runs; otherwise
503 with the reasons.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from bot.core.readiness_log import ReadinessLog
from bot.core.redis_clients import why_unreachable
from bot.rasa_side import loops

logger = logging.getLogger(__name__)
PING_SECONDS = 2.0  # under HAProxy's check timeout
_original: Any = None


def _tracker_store(agent: Any) -> Any:
    """The tracker store (``bot.rasa_side.stores``, maybe inside Rasa's fail-safe wrapper)."""
    store = getattr(agent, "tracker_store", None)
    return getattr(store, "_tracker_store", store)


async def not_ready_reasons(app: Any) -> tuple[list[str], BaseException | None]:
    """Why the server should not be given traffic (none: ready), and the error behind Redis's."""
    agent = getattr(app.ctx, "agent", None)
    if agent is None or not agent.is_ready():
        return ["model not loaded"], None
    reasons, cause = [], None
    store = _tracker_store(agent)
    client = getattr(store, "red", None)  # None for a store without Redis
    if client is not None:
        try:
            await asyncio.wait_for(client.ping(), PING_SECONDS)
        except Exception as exc:  # redis-py's errors, OSError, the timeout: Redis is not there
            connection = getattr(store, "connection", None)
            reasons.append(why_unreachable(connection, exc) if connection is not None else "redis unreachable")
            cause = exc
    stopped = loops.stopped()
    if stopped:
        reasons.append(f"loops stopped: {', '.join(stopped)}")
    return reasons, cause


def add_routes(app: Any) -> None:
    from sanic import response

    async def health(_: Any) -> Any:
        return response.json({"status": "ok"})

    log = ReadinessLog(logger)  # the reasons logged when they change, not at every check

    async def ready(request: Any) -> Any:
        reasons, cause = await not_ready_reasons(request.app)
        log.report(reasons, cause)
        if reasons:
            return response.json({"status": "not ready", "reason": "; ".join(reasons)}, status=503)
        return response.json({"status": "ready", "loops": loops.names()})

    app.add_route(health, "/health", methods=["GET"], name="health")
    app.add_route(ready, "/ready", methods=["GET"], name="ready")


def _configure_app(*args: Any, **kwargs: Any) -> Any:
    """Rasa's ``configure_app``, with the two routes added."""
    app = _original(*args, **kwargs)
    add_routes(app)
    return app


def install() -> None:
    global _original
    import rasa.core.run

    if _original is None:
        _original = rasa.core.run.configure_app
    rasa.core.run.configure_app = _configure_app
