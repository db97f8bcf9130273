"""Each systemd unit's command started the way systemd starts it (its WorkingDirectory=, only
the environment its Environment= and EnvironmentFile= give, its ExecStart=) against a real
redis-server: ready on /ready, its ExecStartPost= (the readiness wait) done, and not ready
while Redis is stopped, ready again once it is back."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ops import units
from ops.processes import Process, RedisServer, free_port
from tests.ops.units import env_text, install_dir, rendered, with_index
from tests.stack import MODEL, RASA_START_TIMEOUT

pytestmark = pytest.mark.integration
REDIS_SECONDS = 30  # how long a /ready may take to follow Redis going and coming back
START_SECONDS = {"careassist-actions": 120, "careassist-handoff": 60, "careassist-rasa": RASA_START_TIMEOUT}
MESSENGER_ON = {"MESSENGER_APP_SECRET": "app-secret-for-tests", "MESSENGER_VERIFY_TOKEN": "verify-token",
                "MESSENGER_PAGE_ACCESS_TOKEN": "page-token"}


def ready(url: str) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(f"{url}/ready", timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def until(url: str, status: int) -> tuple[int, dict[str, Any]]:
    """``/ready``'s answer once it is ``status``, or the last one after ``REDIS_SECONDS``."""
    deadline = time.monotonic() + REDIS_SECONDS
    answer = ready(url)
    while answer[0] != status and time.monotonic() < deadline:
        time.sleep(0.2)
        answer = ready(url)
    return answer


class Started:
    def __init__(self, redis: RedisServer, processes: dict[str, Process], urls: dict[str, str]) -> None:
        self.redis, self.processes, self.urls = redis, processes, urls


@pytest.fixture(scope="module")
def started(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Started]:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make model` (make test does it)")
    root = tmp_path_factory.mktemp("units")
    opt = with_index(install_dir(root))
    paths = rendered(root, opt)
    redis = RedisServer(tmp_path_factory.mktemp("units-redis"))
    (root / "etc").mkdir()
    env_file = root / "etc" / "careassist.env"
    env_file.write_text(env_text(redis.url, MESSENGER_GRAPH_URL=f"http://127.0.0.1:{free_port()}/v21.0",
                                 **MESSENGER_ON))
    logs = root / "logs"
    logs.mkdir()
    processes: dict[str, Process] = {}
    urls = {}
    try:
        for name in units.SERVICES:  # the order careassist.target starts them in
            unit = units.Unit.parse(paths[f"{name}.service"].read_text())
            env = unit.environment()
            processes[name] = Process(name, unit.command("ExecStart", env), env, logs,
                                      cwd=Path(unit.one("WorkingDirectory")), inherit_env=False)
            wait = unit.command("ExecStartPost", env)
            urls[name] = wait[-1].removesuffix("/ready")
            processes[name].wait_http(wait[-1], timeout=START_SECONDS[name])
            assert subprocess.run(wait, cwd=unit.one("WorkingDirectory"), env=env, timeout=30).returncode == 0
        yield Started(redis, processes, urls)
    finally:
        for process in processes.values():
            process.stop()
        redis.stop()


def test_every_unit_is_ready_with_what_it_checks(started: Started) -> None:
    actions = ready(started.urls["careassist-actions"])
    assert actions[0] == 200 and actions[1]["index_version"]
    assert ready(started.urls["careassist-handoff"]) == (200, {"status": "ready", "loops": [
        "archiver", "assigner", "feed", "notifier", "outbox", "pending", "retention"]})
    assert ready(started.urls["careassist-rasa"]) == (200, {"status": "ready", "loops": ["messenger inbox"]})


def test_not_ready_without_redis_and_ready_again_when_it_is_back(started: Started) -> None:
    started.redis.stop()
    try:
        for name in ("careassist-handoff", "careassist-rasa"):
            status, body = until(started.urls[name], 503)
            assert (status, body["status"]) == (503, "not ready")
            assert body["reason"].startswith("redis unreachable (") and "check REDIS_URL" in body["reason"]
        assert ready(started.urls["careassist-actions"])[0] == 200  # it keeps no Redis connection
    finally:
        started.redis.restart()
    for name in ("careassist-handoff", "careassist-rasa"):
        assert until(started.urls[name], 200)[0] == 200
    assert all(process.proc.poll() is None for process in started.processes.values())  # nobody died meanwhile
