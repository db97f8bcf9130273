"""``GET /ready`` on the action server: whether it should be given traffic (HAProxy's check, the
systemd unit's start; ``ops/systemd/``). rasa-sdk's own ``/health`` says the process answers.

Ready means the brain is loaded (``python -m actions`` loads and warms it before it listens, so
this is true from the first answer on, and stays true while a new index version loads beside
it). The action server keeps no Redis connection of its own, and the handoff service it calls
for tickets is not part of its readiness: with the handoff service away the FAQ answers still
work, and taking every action server out of the balancer would stop those too.
"""

from __future__ import annotations

from typing import Any

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.brain_provider import BrainProvider, default_provider


def add_ready_route(app: Sanic[Any, Any], provider: BrainProvider = default_provider) -> None:
    """Serve ``GET /ready`` on the action server's app."""

    async def ready(_: Request) -> HTTPResponse:
        version = provider.loaded_version
        if version is None:
            return response.json({"status": "not ready", "reason": "brain not loaded"}, status=503)
        return response.json({"status": "ready", "index_version": version})

    app.add_route(ready, "/ready", methods=["GET"], name="ready")
