"""``replicated_write`` against a real master without a replica: the write is acknowledged after
the WAIT's timeout, logged, and for ``DEGRADED_SECONDS`` later writes do not wait at all."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from bot.core import keys, redis_clients
from bot.core.redis_clients import async_client, close, replicated_write
from ops.processes import RedisServer


def unreplicated() -> float:
    """What the process's ``/metrics`` says of writes acknowledged without their replicas."""
    return REGISTRY.get_sample_value("volta_redis_unreplicated_writes_total") or 0.0


@pytest.fixture
def lonely_master(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    try:
        yield server
    finally:
        server.stop()


async def test_a_master_without_its_replica_waits_once_then_not_for_a_while(
        lonely_master: RedisServer, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(redis_clients._Replication, "skip_until", 0.0)
    client = async_client(lonely_master.config)
    counted = unreplicated()
    try:
        assert await replicated_write(client, 0) == 0  # not asked: no WAIT at all
        with caplog.at_level(logging.WARNING, logger="bot.core.redis_clients"):
            assert await replicated_write(client, 1, timeout_ms=100) == 0  # nobody acknowledged
            probes = await client.get(keys.REPLICATION_PROBE)
            assert await replicated_write(client, 1, timeout_ms=5000) == -1  # degraded: not asked again
            assert await client.get(keys.REPLICATION_PROBE) == probes  # no INCR + WAIT was sent
        assert ["only 0 of 1 Redis replicas" in r.getMessage() for r in caplog.records] == [True]
        monkeypatch.setattr(redis_clients._Replication, "skip_until", 0.0)  # DEGRADED_SECONDS later
        assert await replicated_write(client, 1, timeout_ms=100) == 0  # asked again
        assert unreplicated() - counted == 3  # each write, waited for or not
    finally:
        await close(client)
