"""Admin jobs are one of a kind across every replica of the service (their record is in Redis)."""

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from bot.core import keys
from handoff.errors import Conflict
from handoff.jobs import Jobs


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    c = aioredis.from_url(redis_url, decode_responses=True)
    yield c
    await c.aclose()


async def until_finished(jobs: Jobs, kind: str, timeout: float = 60) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = await jobs.get(kind)
        if job is not None and job["state"] != "running":
            return job
        await asyncio.sleep(0.1)
    raise AssertionError(f"{kind} did not finish")


async def test_a_second_replica_refuses_a_running_kind_and_reports_it(client: aioredis.Redis, tmp_path: Path) -> None:
    replica_a, replica_b = Jobs(tmp_path, client), Jobs(tmp_path, client)
    started = await replica_a.start("mine", ["--help"])
    assert started["state"] == "running"
    with pytest.raises(Conflict):
        await replica_b.start("mine", ["--help"])
    assert [j["kind"] for j in await replica_b.status()] == ["mine"]
    finished = await until_finished(replica_b, "mine")
    assert finished["state"] == "done" and finished["exit_code"] == 0 and "usage" in str(finished["output"])
    await replica_b.start("mine", ["--help"])  # free again once it ended
    await until_finished(replica_a, "mine")


async def test_a_job_whose_replica_died_is_reported_failed(client: aioredis.Redis, tmp_path: Path) -> None:
    await client.hset(keys.job("publish"), mapping={"kind": "publish", "state": "running", "started_at": "1.0"})
    [job] = await Jobs(tmp_path, client).status()  # no lease: nobody is running it any more
    assert job["state"] == "failed" and "stopped" in str(job["output"])
