"""``GET /ready`` on the action server's real Sanic app: not ready until the brain is loaded."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp

from actions.brain_provider import BrainProvider
from actions.readiness import add_ready_route
from bot.brain.embeddings import HashingEmbedder
from tests.fixtures.brain import fixture_brain


async def get(url: str) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as session, session.get(f"{url}/ready") as reply:
        return reply.status, await reply.json()


async def test_ready_once_the_brain_is_loaded(tmp_path: Path, serve_routes: Callable[..., Any]) -> None:
    brain = fixture_brain(tmp_path, HashingEmbedder())
    provider = BrainProvider(lambda: brain)
    async with serve_routes(lambda app: add_ready_route(app, provider)) as url:
        assert await get(url) == (503, {"status": "not ready", "reason": "brain not loaded"})
        await provider.get()
        assert await get(url) == (200, {"status": "ready", "index_version": brain.version})
