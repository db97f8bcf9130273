"""Two Rasa servers, two action servers and two handoff services behind HAProxy, one Redis.

Used by ``make run-replicas`` (``ops.launch_replicas``) and by ``tests/replicas``. Every
server listens on a free loopback port; only HAProxy's frontends are addresses anyone uses:

    customers, Messenger, ──> HAProxy :public ──> (socket.io, webhook) rasa-a, rasa-b ──┐
    moderators                              └─> (pages, console API) handoff-a, -b    ├──> one Redis
    processes, tools ─────> HAProxy :rasa, :handoff, :actions (loopback, whole) ──────┘

Rasa and the handoff services reach each other and the action servers through HAProxy's
loopback frontends, so any replica can stop without the others losing their way. The
servers trust ``X-Forwarded-For`` from HAProxy only (``TRUSTED_PROXIES``). Each Rasa server and each
handoff service has its own consumer name in the shared consumer groups (the Messenger
inbox, the outbox, Rasa's event stream).
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from ops import haproxy
from ops.edge import HAPROXY_ADDRESS, Limits
from ops.haproxy import Frontends
from ops.launch import local_origins, redis_parts
from ops.processes import MESSENGER_OFF, Process, action_server, bearer, free_ports, handoff_server, rasa_server

NAMES = ("a", "b")
RASA_START_SECONDS = 300  # two Rasa servers loading at once on 2 cores
SERVICE_START_SECONDS = 120


@dataclass(frozen=True)
class ReplicaSettings:
    model: Path
    index_dir: Path
    redis_url: str
    log_dir: Path
    token: str  # Rasa's HTTP API
    service_token: str  # the action servers' key to the handoff services
    frontends: Frontends
    embedder: str = "e5"
    public_rasa_url: str = ""  # where browsers reach Rasa; empty: the public frontend
    limits: Limits = field(default_factory=Limits)  # per client, on the public frontend
    rasa_env: Mapping[str, str] = field(default_factory=dict)  # Messenger secrets, the Graph API's URL
    handoff_env: Mapping[str, str] = field(default_factory=dict)  # archive and admin paths, opening hours
    action_env: Mapping[str, str] = field(default_factory=dict)

    @property
    def rasa_url(self) -> str:
        return _url("127.0.0.1", self.frontends.rasa)

    @property
    def handoff_url(self) -> str:
        return _url("127.0.0.1", self.frontends.handoff)

    @property
    def public_url(self) -> str:
        return _url(self.frontends.public_host, self.frontends.public)


def _url(host: str, port: int) -> str:
    return f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"


@dataclass
class Replicas:
    settings: ReplicaSettings
    ports: dict[str, int]  # server name -> its own port
    starters: dict[str, Callable[[], Process]]
    processes: dict[str, Process] = field(default_factory=dict)
    balancer: Process | None = None

    @property
    def rasa_url(self) -> str:
        return self.settings.rasa_url

    @property
    def handoff_url(self) -> str:
        return self.settings.handoff_url

    @property
    def public_url(self) -> str:
        return self.settings.public_url

    def direct_url(self, name: str) -> str:
        """One server's own address, bypassing HAProxy (for checks and tests)."""
        return f"http://127.0.0.1:{self.ports[name]}"

    def health_url(self, name: str) -> str:
        path = "/status" if name.startswith("rasa") else "/health"
        return self.direct_url(name) + path

    def wait_ready(self, name: str) -> None:
        timeout = RASA_START_SECONDS if name.startswith("rasa") else SERVICE_START_SECONDS
        headers = bearer(self.settings.token) if name.startswith("rasa") else None
        self.processes[name].wait_http(self.health_url(name), timeout=timeout, headers=headers)

    def wait_balanced(self, timeout: float = 30) -> None:
        """Until HAProxy's health checks see every server up."""
        deadline = time.monotonic() + timeout
        while True:
            down = [f"{proxy}/{server}" for (proxy, server), row in self.stats().items()
                    if server not in ("FRONTEND", "BACKEND") and not row["status"].startswith("UP")]
            if not down:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"HAProxy still sees {', '.join(down)} down after {timeout:.0f} s")
            time.sleep(0.5)

    def stats(self) -> dict[tuple[str, str], dict[str, str]]:
        return haproxy.stats(self.settings.frontends.stats)

    def restart(self, name: str) -> float:
        """Start ``name`` again (after it was killed); seconds until it serves."""
        started = time.monotonic()
        self.processes[name].stop()
        self.processes[name] = self.starters[name]()
        self.wait_ready(name)
        return time.monotonic() - started

    def stop(self) -> None:
        """SIGTERM to all at once (Rasa takes seconds to stop), then wait for each."""
        everything = [*self.processes.values(), *([self.balancer] if self.balancer else [])]
        for process in everything:
            if process.proc.poll() is None:
                process.proc.terminate()
        for process in everything:
            process.stop()


def _rasa_env(s: ReplicaSettings, name: str) -> dict[str, str]:
    return {**MESSENGER_OFF, **redis_parts(s.redis_url), "TRACKER_TTL_SECONDS": "7776000",
            "TRUSTED_PROXIES": HAPROXY_ADDRESS, "ACTION_SERVER_URL": f"http://127.0.0.1:{s.frontends.actions}/webhook",
            "WIDGET_ALLOWED_ORIGINS": ",".join(  # the demo page, on the public frontend and on the handoff frontend
                local_origins(str(port)) for port in (s.frontends.public, s.frontends.handoff)),
            **s.rasa_env, "MESSENGER_CONSUMER": f"{socket.gethostname()}-rasa-{name}"}


def _handoff_env(s: ReplicaSettings, name: str) -> dict[str, str]:
    rasa = f"http://127.0.0.1:{s.frontends.rasa}"
    return {"RASA_URL": rasa, "PUBLIC_RASA_URL": s.public_rasa_url or s.public_url, "TRUSTED_PROXIES": HAPROXY_ADDRESS,
            "RASA_TOKEN": s.token, "HANDOFF_SERVICE_TOKEN": s.service_token,
            "ACTION_URL": f"http://127.0.0.1:{s.frontends.actions}", "INDEX_DIR": str(s.index_dir),
            **s.handoff_env, "HANDOFF_CONSUMER": f"{socket.gethostname()}-handoff-{name}"}


def starters(s: ReplicaSettings, ports: Mapping[str, int]) -> dict[str, Callable[[], Process]]:
    """How to start (and restart) each server, by name: ``actions-a``, ``rasa-b``…"""
    action_env = {"HANDOFF_URL": f"http://127.0.0.1:{s.frontends.handoff}",
                  "HANDOFF_SERVICE_TOKEN": s.service_token, **s.action_env}
    out: dict[str, Callable[[], Process]] = {}
    for n in NAMES:
        a, r, h = f"actions-{n}", f"rasa-{n}", f"handoff-{n}"
        out[a] = partial(action_server, ports[a], s.index_dir, s.embedder, s.log_dir, action_env, name=a)
        out[r] = partial(rasa_server, s.model, ports[r], s.log_dir, s.token, _rasa_env(s, n), name=r)
        out[h] = partial(handoff_server, ports[h], s.redis_url, s.log_dir, _handoff_env(s, n), name=h)
    return out


def start_replicas(s: ReplicaSettings) -> Replicas:
    """HAProxy and the six servers, ready and seen up by HAProxy; stops what it started on failure."""
    names = [f"{kind}-{n}" for kind in ("actions", "rasa", "handoff") for n in NAMES]
    taken = {s.frontends.rasa, s.frontends.handoff, s.frontends.actions, s.frontends.stats, s.frontends.public}
    ports = dict(zip(names, [p for p in free_ports(len(names) + len(taken)) if p not in taken], strict=False))
    servers = {kind: [(f"{kind}-{n}", ports[f"{kind}-{n}"]) for n in NAMES] for kind in ("rasa", "handoff", "actions")}
    replicas = Replicas(s, ports, starters(s, ports))
    try:
        replicas.balancer = haproxy.start(haproxy.config(s.frontends, **servers, limits=s.limits), s.log_dir)
        for name, start in replicas.starters.items():
            replicas.processes[name] = start()
        for name in sorted(replicas.processes, key=lambda n: n.startswith("rasa")):  # Rasa last: the slowest
            replicas.wait_ready(name)
        replicas.wait_balanced()
    except BaseException:
        replicas.stop()
        raise
    return replicas
