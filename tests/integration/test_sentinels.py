"""Every kind of Redis client through Sentinels (a master, a replica, three Sentinels on loopback):
the handoff side's (redis-py 8) and the Rasa side's stores (redis-py 4.6, the Rasa venv), the
``WAIT`` that acknowledges a write only once the replica holds it, following a failover, and a
start refused with a clear error when the Sentinels name no such master. The whole stack under
load through a failover: ``make test-failover`` (tests/failover)."""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import Iterator
from dataclasses import replace

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from bot.core.redis_clients import async_client, close, replicated_write, sync_client, why_unreachable
from ops.preflight import PreflightError, check_redis_reachable
from ops.processes import REPO
from ops.redis_sentinels import SentinelGroup

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def group(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SentinelGroup]:
    running = SentinelGroup(tmp_path_factory.mktemp("sentinels"))
    try:
        yield running
    finally:
        running.stop()


def rasa_side(script: str, group: SentinelGroup) -> str:
    """A check of tests/bot/rasa_side run by the Rasa venv's Python, through the Sentinels."""
    result = subprocess.run(
        [str(REPO / ".venv-rasa/bin/python"), str(REPO / "tests/bot/rasa_side" / script), group.env()["REDIS_URL"]],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO), **group.env()}, capture_output=True, text=True,
        timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_a_start_against_sentinels_that_name_no_such_master_is_refused_by_name(group: SentinelGroup) -> None:
    check_redis_reachable(group.config)  # the right name: no error
    with pytest.raises(PreflightError, match=r"name no master 'nosuch'.*REDIS_SENTINEL_MASTER"):
        check_redis_reachable(replace(group.config, sentinel_master="nosuch"))
    with pytest.raises(PreflightError, match="name no master"):
        check_redis_reachable(replace(group.config, sentinels=(("127.0.0.1", 9),)))  # nobody listens there


async def test_readiness_names_the_sentinel_settings_when_they_name_no_such_master(group: SentinelGroup) -> None:
    client = async_client(replace(group.config, sentinel_master="nosuch"))
    try:
        with pytest.raises(RedisConnectionError) as error:
            await client.ping()
    finally:
        await close(client)
    reason = why_unreachable(replace(group.config, sentinel_master="nosuch"), error.value)
    assert "REDIS_SENTINELS" in reason and "'nosuch' (REDIS_SENTINEL_MASTER)" in reason
    slow = why_unreachable(replace(group.config, sentinel_master="nosuch"), TimeoutError())
    assert "REDIS_SENTINELS" in slow and "REDIS_SENTINEL_MASTER" in slow and "REDIS_URL" in slow
    assert group.password not in reason


def test_the_rasa_side_stores_work_through_sentinels(group: SentinelGroup) -> None:
    assert '"stream_equals_stored": true' in rasa_side("check_store.py", group)
    assert '"keys_left": []' in rasa_side("check_locks.py", group)


async def test_acknowledged_writes_survive_a_sigkilled_master_and_clients_follow_the_new_one(
        group: SentinelGroup) -> None:
    client = async_client(group.config, decode_responses=True)
    try:
        await client.set("acknowledged", "yes")
        assert await replicated_write(client, 1) == 1  # the replica holds it before we go on
        old = await asyncio.to_thread(group.kill_master)
        seconds = await asyncio.to_thread(group.wait_failover, old)
        assert seconds < 30
        for _ in range(50):  # the same client, no restart: it asks the Sentinels again
            try:
                await client.set("after", "failover")
                break
            except RedisConnectionError:
                await asyncio.sleep(0.2)
        assert await client.get("acknowledged") == "yes"
        assert group.master() is not old
        blocking = sync_client(group.config, decode_responses=True)
        assert blocking.get("after") == "failover"
        blocking.close()
        await asyncio.to_thread(group.rejoin, old)  # back as a replica of the new master
        assert await replicated_write(client, 1) == 1
    finally:
        await close(client)
