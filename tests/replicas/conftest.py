"""The replicated stack (ops/replicas.py) for the replica tests: its own redis-server, the fake
Graph API, two of each server behind HAProxy. One per test module."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from ops.haproxy import Frontends
from ops.processes import NO_RATE_LIMITS, REPO, Process, RedisServer, free_ports
from ops.replicas import Replicas, ReplicaSettings, start_replicas
from tests.stack import (
    GRAPH_VERSION,
    MESSENGER_PAGE_TOKEN,
    MESSENGER_SECRET,
    MESSENGER_VERIFY,
    MODEL,
    SERVICE_TOKEN,
    TOKEN,
    copy_index,
)

REPORT_DIR = REPO / "var" / "test-replicas"  # the latest run's figures (docs/scaling.md quotes them)


class Cluster:
    """The running replicas plus what the tests need around them."""

    def __init__(self, replicas: Replicas, redis: RedisServer, graph_url: str) -> None:
        self.replicas, self.redis, self.graph_url = replicas, redis, graph_url
        self.rasa_url, self.handoff_url = replicas.rasa_url, replicas.handoff_url
        self.token, self.service_token = TOKEN, SERVICE_TOKEN

    def direct(self, name: str) -> str:
        return self.replicas.direct_url(name)


def _admin_env(root: Path) -> dict[str, str]:
    for sub in ("proposals", "archive", "approved", "jobs"):
        (root / sub).mkdir()
    for demo in (REPO / "faq_corpus" / "archive").glob("*.jsonl"):
        shutil.copy(demo, root / "approved" / demo.name)
    return {"PROPOSALS_FILE": str(root / "proposals" / "proposals.json"), "ARCHIVE_DIR": str(root / "archive"),
            "APPROVED_DIR": str(root / "approved"), "PUBLISH_LOG": str(root / "publish.log"),
            "JOBS_DIR": str(root / "jobs")}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    if not MODEL.exists() or not (REPO / "var" / "index" / "CURRENT").exists():
        pytest.fail("no trained model or FAQ index: run `make model index` (make test-replicas does it)")
    logs = tmp_path_factory.mktemp("replica-logs")
    index_dir = copy_index(REPO / "var" / "index", tmp_path_factory.mktemp("index"))
    redis = RedisServer(tmp_path_factory.mktemp("replica-redis"))
    graph_port, *frontends = free_ports(6)
    graph_url = f"http://127.0.0.1:{graph_port}"
    graph = Process("graph", [str(REPO / ".venv/bin/python"), "-m", "tests.fakes.graph_api", "--port",
                              str(graph_port)], {}, logs)
    messenger = {"MESSENGER_APP_SECRET": MESSENGER_SECRET, "MESSENGER_VERIFY_TOKEN": MESSENGER_VERIFY,
                 "MESSENGER_PAGE_ACCESS_TOKEN": MESSENGER_PAGE_TOKEN,
                 "MESSENGER_GRAPH_URL": f"{graph_url}/{GRAPH_VERSION}", "TRACKER_TTL_SECONDS": "3600"}
    settings = ReplicaSettings(
        model=MODEL, index_dir=index_dir, redis_url=redis.url, log_dir=logs, token=TOKEN, service_token=SERVICE_TOKEN,
        frontends=Frontends(*frontends),
        rasa_env={**messenger, **NO_RATE_LIMITS}, handoff_env=_admin_env(tmp_path_factory.mktemp("admin")))
    try:
        graph.wait_http(f"{graph_url}/health", timeout=30)
        replicas = start_replicas(settings)
    except BaseException:
        graph.stop()
        redis.stop()
        raise
    try:
        yield Cluster(replicas, redis, graph_url)
    finally:
        replicas.stop()
        graph.stop()
        redis.stop()
