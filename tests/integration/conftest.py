"""The real stack: redis-server, the action server and the Rasa server with the trained model."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ops.processes import REPO, RedisServer, action_server, free_port, rasa_server, redis_env

MODEL = REPO / "models" / "current.tar.gz"
RASA_START_TIMEOUT = 240
TOKEN = "integration-token"


@dataclass
class Stack:
    rasa_url: str
    token: str
    redis_url: str
    index_dir: Path


@pytest.fixture(scope="session")
def stack(redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make model` (make test does it)")
    logs = tmp_path_factory.mktemp("logs")
    index_dir = REPO / "var" / "index"  # built by `make index`, which `make test` runs first
    if not (index_dir / "CURRENT").exists():
        pytest.fail(f"no index in {index_dir}: run `make index` (make test does it)")
    action_port, rasa_port = free_port(), free_port()
    actions = action_server(action_port, index_dir, "e5", logs)
    rasa = rasa_server(MODEL, rasa_port, logs, TOKEN, redis_env(redis_server.port, action_port))
    try:
        actions.wait_http(f"http://127.0.0.1:{action_port}/health", timeout=60)
        rasa.wait_http(f"http://127.0.0.1:{rasa_port}/status?token={TOKEN}", timeout=RASA_START_TIMEOUT)
        yield Stack(f"http://127.0.0.1:{rasa_port}", TOKEN, redis_server.url, index_dir)
    finally:
        rasa.stop()
        actions.stop()
