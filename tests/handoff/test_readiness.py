"""``/ready``: Redis and the background loops, as HAProxy and the systemd units see them, against a
redis-server of the test's own that is stopped and started again."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from handoff import assigner
from handoff.app import create_app
from handoff.appkeys import LOOPS
from handoff.assigner import ASSIGN_WAKE
from ops.processes import RedisServer
from tests.handoff.conftest import Factory, settings

LOOP_NAMES = ["archiver", "assigner", "feed", "notifier", "outbox", "pending", "retention"]


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    yield server
    server.stop()


async def _client(aiohttp_client: Factory, redis: RedisServer, tmp_path: Path) -> TestClient:
    app = create_app(settings(redis.url, archive_dir=tmp_path / "archive", jobs_dir=tmp_path / "jobs"))
    client: TestClient = await aiohttp_client(app)
    return client


async def test_ready_with_redis_and_every_loop(aiohttp_client: Factory, own_redis: RedisServer,
                                               tmp_path: Path) -> None:
    client = await _client(aiohttp_client, own_redis, tmp_path)
    response = await client.get("/ready")
    assert (response.status, await response.json()) == (200, {"status": "ready", "loops": LOOP_NAMES})


async def test_not_ready_while_redis_is_stopped_and_ready_again_after(aiohttp_client: Factory,
                                                                      own_redis: RedisServer, tmp_path: Path) -> None:
    client = await _client(aiohttp_client, own_redis, tmp_path)
    own_redis.stop()
    response = await client.get("/ready")
    body = await response.json()
    assert (response.status, body["status"]) == (503, "not ready")
    assert body["reason"].startswith("redis unreachable (") and "check REDIS_URL" in body["reason"]
    await asyncio.get_running_loop().run_in_executor(None, own_redis.restart)
    response = await client.get("/ready")
    assert response.status == 200, await response.text()  # the loops lived through the outage


async def test_a_stopped_loop_is_named(aiohttp_client: Factory, own_redis: RedisServer, tmp_path: Path) -> None:
    client = await _client(aiohttp_client, own_redis, tmp_path)
    task = client.server.app[LOOPS]["archiver"]
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    response = await client.get("/ready")
    assert (response.status, await response.json()) == (503, {"status": "not ready",
                                                               "reason": "loops stopped: archiver"})


async def test_without_workers_redis_and_the_loops_every_replica_runs_count(aiohttp_client: Factory,
                                                                            redis_url: str) -> None:
    client: TestClient = await aiohttp_client(create_app(settings(redis_url), workers=False))
    response = await client.get("/ready")
    assert (response.status, await response.json()) == (200, {"status": "ready",
                                                               "loops": ["assigner", "notifier", "pending"]})


async def test_a_loop_ended_by_an_unexpected_error_is_named(aiohttp_client: Factory, own_redis: RedisServer,
                                                            tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    """The periodic loops survive Redis going away, not a bug: then /ready takes the replica out."""
    async def broken(*_: object) -> None:
        raise KeyError("a bug")

    monkeypatch.setattr(assigner, "assign_step", broken)
    client = await _client(aiohttp_client, own_redis, tmp_path)
    client.server.app[ASSIGN_WAKE].set()  # a pass now, not in POLL_SECONDS
    task = client.server.app[LOOPS]["assigner"]
    await asyncio.wait_for(asyncio.gather(task, return_exceptions=True), 10)
    response = await client.get("/ready")
    assert (response.status, await response.json()) == (503, {"status": "not ready",
                                                               "reason": "loops stopped: assigner"})
    [logged] = [r for r in caplog.records if r.name == "handoff.background" and r.levelno == logging.ERROR]
    assert logged.getMessage().startswith("assignment pass stopped") and "a bug" in logged.exc_text


async def test_the_reasons_are_logged_when_they_change_not_at_every_check(
        aiohttp_client: Factory, own_redis: RedisServer, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    client = await _client(aiohttp_client, own_redis, tmp_path)
    with caplog.at_level(logging.INFO, logger="handoff.readiness"):
        assert (await client.get("/ready")).status == 200
        own_redis.stop()
        assert [(await client.get("/ready")).status for _ in range(3)] == [503, 503, 503]  # HAProxy, each second
        await asyncio.get_running_loop().run_in_executor(None, own_redis.restart)
        assert [(await client.get("/ready")).status for _ in range(2)] == [200, 200]
    said = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "handoff.readiness"]
    assert [level for level, _ in said] == ["WARNING", "INFO"], said
    assert said[0][1].startswith("not ready: redis unreachable (") and said[1][1] == "ready again"
