"""The real stack for integration and browser tests: redis-server, the action server, the Rasa
server with the trained model, and the handoff service. One per test session."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.core.redis_config import RedisConfig
from ops.processes import (
    REPO,
    Process,
    RedisServer,
    action_server,
    bearer,
    copy_index,
    free_port,
    handoff_server,
    rasa_server,
    redis_env,
)
from ops.redis_sentinels import SentinelGroup

MODEL = REPO / "models" / "current.tar.gz"
RASA_START_TIMEOUT = 240
TOKEN = "integration-token-0123456789"
SERVICE_TOKEN = "service-token-0123456789"
MESSENGER_SECRET = "test-app-secret"
MESSENGER_VERIFY = "test-verify-token"
MESSENGER_PAGE_TOKEN = "test-page-token"
GRAPH_VERSION = "v21.0"
INBOUND_EMAIL_TOKEN = "inbound-email-token-0123456789"
EXPERT = "Ewa Ekspert <ewa.ekspert@volta.example>"
# The session stack logs as operators would run it: JSON lines (tests/integration/test_observability.py reads them)
SESSION_ENV = {"LOG_FORMAT": "json"}


@dataclass
class Stack:
    rasa_url: str
    token: str
    redis_url: str
    index_dir: Path
    handoff_url: str
    log_dir: Path
    graph_url: str  # the fake Graph API (tests/fakes/graph_api.py), without the version
    processes: dict[str, Process] = field(default_factory=dict)
    restart: dict[str, Callable[[], Process]] = field(default_factory=dict)
    service_token: str = SERVICE_TOKEN  # the action server's key to the handoff service's /internal
    admin_dir: Path = Path()  # proposals/, archive/ (live), approved/: the admin loop's files, per session

    redis: RedisServer | None = None
    sentinels: SentinelGroup | None = None  # a replicated Redis (running_stack(replicated=True))

    action_url: str = ""
    smtp_port: int = 0  # consulting by e-mail sends here: a test starts tests/fakes/smtp_sink.py on it

    def health_url(self, name: str) -> str:
        return {"handoff": f"{self.handoff_url}/health", "rasa": f"{self.rasa_url}/status",
                "actions": f"{self.action_url}/health"}[name]

    def wait_ready(self, name: str) -> None:
        timeout = RASA_START_TIMEOUT if name == "rasa" else 60
        headers = bearer(self.token) if name == "rasa" else None
        self.processes[name].wait_http(self.health_url(name), timeout=timeout, headers=headers)

    def restart_process(self, name: str) -> float:
        """Start ``name`` again (after a test killed it); seconds until it serves."""
        started = time.monotonic()
        self.processes[name].stop()  # reaps a killed process and closes its log
        self.processes[name] = self.restart[name]()
        self.wait_ready(name)
        return time.monotonic() - started

    def restart_handoff(self) -> None:
        self.restart_process("handoff")


@contextmanager
def running_stack(tmp_path_factory: pytest.TempPathFactory, durable: bool = False,
                  env: Mapping[str, str] | None = None, replicated: bool = False) -> Iterator[Stack]:
    """Redis, the fake Graph API, the action server, Rasa and the handoff service, each restartable;
    ``env`` is added last to each process's environment. ``replicated``: Redis is
    a master, a replica and three Sentinels (ops.redis_sentinels), which every process goes through."""
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make model` (make test does it)")
    logs = tmp_path_factory.mktemp("logs")
    built = REPO / "var" / "index"  # built by `make index`, which `make test` runs first
    if not (built / "CURRENT").exists():
        pytest.fail(f"no index in {built}: run `make index` (make test does it)")
    index_dir = copy_index(built, tmp_path_factory.mktemp("index"))  # tests may publish new versions
    admin_dir = tmp_path_factory.mktemp("admin")
    for sub in ("proposals", "archive", "approved"):
        (admin_dir / sub).mkdir()
    for demo in (REPO / "faq_corpus" / "archive").glob("*.jsonl"):
        shutil.copy(demo, admin_dir / "approved" / demo.name)  # what the index was built from
    sentinels = SentinelGroup(tmp_path_factory.mktemp("stack-sentinels")) if replicated else None
    redis_server = None if sentinels else RedisServer(tmp_path_factory.mktemp("stack-redis"), durable=durable)
    redis_config = sentinels.config if sentinels else RedisConfig.from_url(redis_server.url)  # type: ignore[union-attr]
    redis_url = redis_config.full_url()
    action_port, rasa_port, handoff_port, graph_port = free_port(), free_port(), free_port(), free_port()
    rasa_url, handoff_url = f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{handoff_port}"
    graph_url = f"http://127.0.0.1:{graph_port}"
    smtp_port = free_port()
    graph = Process("graph", [str(REPO / ".venv/bin/python"), "-m", "tests.fakes.graph_api", "--port",
                              str(graph_port)], {}, logs)
    messenger = {"MESSENGER_APP_SECRET": MESSENGER_SECRET, "MESSENGER_VERIFY_TOKEN": MESSENGER_VERIFY,
                 "MESSENGER_PAGE_ACCESS_TOKEN": MESSENGER_PAGE_TOKEN,
                 "MESSENGER_GRAPH_URL": f"{graph_url}/{GRAPH_VERSION}"}
    # Every test speaks from loopback, so only the per-conversation and per-PSID limits keep
    # their defaults; loopback is a trusted proxy, so a test can stand for another client with
    # X-Forwarded-For.
    channels = {"WIDGET_ALLOWED_ORIGINS": f"{handoff_url},http://localhost:{handoff_port}",
                "TRUSTED_PROXIES": "127.0.0.1", "LIMIT_IP_PER_MINUTE": "1000000",
                "LIMIT_NEW_CONVERSATIONS_PER_IP_PER_HOUR": "1000000"}
    handoff_env = {"PUBLIC_RASA_URL": rasa_url, "RASA_URL": rasa_url, "RASA_TOKEN": TOKEN,
                   "HANDOFF_SERVICE_TOKEN": SERVICE_TOKEN, "ACTION_URL": f"http://127.0.0.1:{action_port}",
                   "HANDOFF_CONSUMER": "test-handoff", "INDEX_DIR": str(index_dir),
                   "PROPOSALS_FILE": str(admin_dir / "proposals" / "proposals.json"),
                   "ARCHIVE_DIR": str(admin_dir / "archive"), "APPROVED_DIR": str(admin_dir / "approved"),
                   "PUBLISH_LOG": str(admin_dir / "publish.log"), "ARCHIVE_IDLE_SECONDS": "2",
                   "JOBS_DIR": str(admin_dir / "jobs"),
                   # every test's customers come from loopback: the per-address ticket cap and the
                   # cold-ticket rate have their own tests (tests/handoff/test_ticket_caps.py)
                   "HANDOFF_MAX_OPEN_TICKETS_PER_IP": "100000", "HANDOFF_NEW_TICKETS_PER_MINUTE": "100000",
                   # consulting an expert by e-mail (tests/browser/test_pending_consult.py)
                   "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_port), "SMTP_STARTTLS": "false",
                   "SMTP_FROM": "care@volta.example", "HANDOFF_EXPERTS": EXPERT,
                   "HANDOFF_INBOUND_EMAIL_TOKEN": INBOUND_EMAIL_TOKEN,
                   # the session's many angry test customers open no crisis by themselves: the crisis test
                   # opens its own (tests/browser/test_crisis.py)
                   "HANDOFF_CRISIS_MIN_TICKETS": "10000"}
    starters: dict[str, Callable[[], Process]] = {
        "actions": lambda: action_server(action_port, index_dir, "e5", logs,
                                         {"HANDOFF_URL": handoff_url, "HANDOFF_SERVICE_TOKEN": SERVICE_TOKEN,
                                          **(env or {})}),
        "rasa": lambda: rasa_server(MODEL, rasa_port, logs, TOKEN,
                                    {**redis_env(redis_config, action_port), **messenger, **channels,
                                     **(env or {})}),
        "handoff": lambda: handoff_server(handoff_port, redis_url, logs,
                                          {**handoff_env, **(sentinels.env() if sentinels else {}), **(env or {})}),
    }
    processes = {name: start() for name, start in starters.items()}
    stack = Stack(rasa_url, TOKEN, redis_url, index_dir, handoff_url, logs, graph_url, processes, starters,
                  admin_dir=admin_dir, redis=redis_server, action_url=f"http://127.0.0.1:{action_port}",
                  smtp_port=smtp_port, sentinels=sentinels)
    try:
        graph.wait_http(f"{graph_url}/health", timeout=30)
        for name in ("actions", "handoff", "rasa"):
            stack.wait_ready(name)
        yield stack
    finally:
        for process in stack.processes.values():
            process.stop()
        graph.stop()
        if redis_server is not None:
            redis_server.stop()
        if sentinels is not None:
            sentinels.stop()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The stack has its own redis-server: unit tests empty the shared one between tests."""
    with running_stack(tmp_path_factory, env=SESSION_ENV) as running:
        yield running
