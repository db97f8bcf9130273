"""The HAProxy configuration of `make run-replicas`: valid for Debian's haproxy, sticky where it
must be, and its public frontend (ops/edge.py) tried live in front of a fake upstream: what
passes, what gets 404, the client address it forwards, and the per-client limits (429)."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from yarl import URL

from bot.core.settings import SettingsError
from ops import replicas
from ops.edge import CONNECTIONS_PER_CLIENT, REQUESTS_PER_10S, Limits
from ops.haproxy import Frontends, config, haproxy_binary, start
from ops.launch import stack_env
from ops.launch_replicas import settings
from ops.processes import free_port, free_ports

PORTS = Frontends(rasa=free_port(), handoff=free_port(), actions=free_port(), stats=free_port(), public=free_port())
SERVERS = {kind: [(f"{kind}-a", 1001), (f"{kind}-b", 1002)] for kind in ("rasa", "handoff", "actions")}
LIMITS = Limits(requests_per_10s=20, connections_per_client=5, sign_ins_per_minute=3, new_chats_per_minute=4)
PUBLIC = [("GET", "/socket.io/?EIO=4&transport=polling"), ("POST", "/socket.io/?EIO=4&transport=polling&sid=abc"),
          ("POST", "/webhooks/messenger/webhook"), ("GET", "/webhooks/messenger/webhook?hub.challenge=1"),
          ("GET", "/"), ("GET", "/login"), ("POST", "/logout"), ("GET", "/demo"), ("GET", "/widget/widget.js"),
          ("GET", "/console/console.js"), ("GET", "/api/queue"), ("GET", "/api/live"), ("GET", "/tickets/t1"),
          ("GET", "/admin"), ("GET", "/stats")]
CLOSED = [("POST", "/webhooks/rest/webhook"), ("POST", "/conversations/web:x/tracker/events"), ("PUT", "/model"),
          ("GET", "/status"), ("GET", "/version"), ("POST", "/internal/tickets"), ("GET", "/internal/conversations/x"),
          ("GET", "/metrics"), ("GET", "/health"), ("GET", "/ready"), ("POST", "/webhook"),
          ("GET", "/api/../internal/tickets"), ("GET", "/widget/%2e%2e/metrics"),
          ("GET", "/api%2f..%2finternal/tickets"), ("GET", "/demo/../metrics")]
READY_SECONDS = 30


def test_the_configuration_is_valid(tmp_path: Path) -> None:
    for limits in (None, LIMITS):
        path = tmp_path / "haproxy.cfg"
        path.write_text(config(PORTS, **SERVERS, limits=limits))
        checked = subprocess.run([haproxy_binary(), "-c", "-f", str(path)], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr
        assert "WARNING" not in checked.stderr + checked.stdout


def test_socket_io_sessions_stick_to_the_server_that_made_them() -> None:
    text = config(PORTS, **SERVERS)
    socketio = text.split("\nbackend rasa_socketio\n")[1].split("\nfrontend")[0]
    assert "stick store-response res.cook(io)" in socketio and "stick match url_param(sid)" in socketio
    assert "server rasa-a 127.0.0.1:1001 track rasa/rasa-a" in socketio
    assert "use_backend rasa_socketio if { path_beg /socket.io/ }" in text


def test_every_backend_is_checked_on_readiness() -> None:
    text = config(PORTS, **SERVERS)
    checks = [line.strip() for line in text.splitlines() if "httpchk" in line]
    assert checks == ["option httpchk GET /ready"] * 3  # rasa, handoff, actions (rasa_socketio tracks rasa)


def test_only_the_public_frontend_listens_beyond_loopback() -> None:
    text = config(Frontends(rasa=1, handoff=2, actions=3, stats=4, public=5, public_host="0.0.0.0"), **SERVERS)
    binds = [line.split()[1] for line in text.splitlines() if line.strip().startswith("bind ")]
    assert binds == ["0.0.0.0:5", "127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3", "127.0.0.1:4"]


def test_make_run_replicas_takes_the_make_run_addresses_and_the_public_one() -> None:
    env, _ = stack_env({"RASA_PORT": str(PORTS.rasa), "HANDOFF_PORT": str(PORTS.handoff),
                        "ACTION_PORT": str(PORTS.actions), "HAPROXY_STATS_PORT": str(PORTS.stats),
                        "PUBLIC_PORT": str(PORTS.public), "PROXY_SIGN_INS_PER_MINUTE": "7"})
    replica = settings({**env, "RASA_TOKEN": "t" * 20, "HANDOFF_SERVICE_TOKEN": "s" * 20})
    assert replica.frontends == PORTS
    assert replica.rasa_url == f"http://127.0.0.1:{PORTS.rasa}"
    assert replica.public_url == f"http://127.0.0.1:{PORTS.public}"
    assert replica.limits == Limits(sign_ins_per_minute=7)
    assert replica.rasa_env["MESSENGER_APP_SECRET"] == ""
    assert replica.public_rasa_url == ""  # the widget connects to the public frontend
    names = [f"{kind}-{n}" for kind in ("rasa", "handoff", "actions") for n in ("a", "b")]
    starters = replicas.starters(replica, dict(zip(names, range(1, 7), strict=True)))
    for name in ("rasa-a", "handoff-b"):  # the servers trust X-Forwarded-For from HAProxy only
        assert starters[name].args[-1]["TRUSTED_PROXIES"] == "127.0.0.1"  # type: ignore[attr-defined]


def test_limits_come_from_the_environment_and_a_bad_one_is_named() -> None:
    assert Limits.from_env({}) == Limits()
    assert Limits().requests_per_10s == REQUESTS_PER_10S and Limits().connections_per_client == CONNECTIONS_PER_CLIENT
    assert Limits.from_env({"PROXY_NEW_CHATS_PER_MINUTE": "5"}).new_chats_per_minute == 5
    for bad in ("0", "-3", "many", "1.5"):
        with pytest.raises(SettingsError, match="PROXY_REQUESTS_PER_10S"):
            Limits.from_env({"PROXY_REQUESTS_PER_10S": bad})


@dataclass
class Upstream:
    """Every request the servers behind HAProxy received: (method, path, X-Forwarded-For)."""

    seen: list[tuple[str, str, str]] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        self.seen.append((request.method, request.raw_path, request.headers.get("X-Forwarded-For", "")))
        return web.json_response({"path": request.raw_path})


@dataclass
class Proxy:
    upstream: Upstream
    ports: Frontends

    async def send(self, method: str, path: str, source: str, headers: dict[str, str] | None = None,
                   port: int | None = None) -> int:
        """One request from ``source`` (a loopback address), its path sent as written."""
        connector = aiohttp.TCPConnector(local_addr=(source, 0), force_close=True)
        url = f"http://127.0.0.1:{port or self.ports.public}"
        async with aiohttp.ClientSession(connector=connector) as http, http.request(
                method, URL(url + path, encoded=True), headers=headers) as r:
            await r.read()
            return r.status


@pytest.fixture
async def proxy(tmp_path: Path) -> AsyncIterator[Proxy]:
    """HAProxy with the test limits in front of one fake upstream (Rasa, handoff and actions at once)."""
    upstream = Upstream()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", upstream.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server_port = runner.addresses[0][1]
    rasa, handoff, actions, stats, public = free_ports(5)
    ports = Frontends(rasa=rasa, handoff=handoff, actions=actions, stats=stats, public=public)
    servers = {kind: [(f"{kind}-a", server_port)] for kind in ("rasa", "handoff", "actions")}
    balancer = start(config(ports, **servers, limits=LIMITS), tmp_path)
    ready = Proxy(upstream, ports)
    try:
        await _wait_ready(ready, balancer.log_tail)
        upstream.seen.clear()
        yield ready
    finally:
        balancer.stop()
        await runner.cleanup()


async def _wait_ready(proxy: Proxy, log: Callable[[], str]) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while True:
        try:
            if await proxy.send("GET", "/demo", "127.0.9.1") == 200:
                return
        except aiohttp.ClientError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"HAProxy did not forward within {READY_SECONDS} s:\n{log()}")
        await asyncio.sleep(0.1)


async def test_the_public_frontend_forwards_the_widget_messenger_and_the_console(proxy: Proxy) -> None:
    for i, (method, path) in enumerate(PUBLIC):
        assert await proxy.send(method, path, f"127.0.1.{i + 1}") == 200, (method, path)
    assert [(m, p) for m, p, _ in proxy.upstream.seen] == PUBLIC


async def test_rasa_s_api_rest_and_internal_paths_get_404_from_haproxy(proxy: Proxy) -> None:
    for i, (method, path) in enumerate(CLOSED):
        assert await proxy.send(method, path, f"127.0.2.{i + 1}") == 404, (method, path)
    assert proxy.upstream.seen == []


async def test_the_loopback_frontends_forward_everything(proxy: Proxy) -> None:
    for port in (proxy.ports.rasa, proxy.ports.handoff, proxy.ports.actions):
        assert await proxy.send("POST", "/webhooks/rest/webhook", "127.0.0.1", port=port) == 200
        assert await proxy.send("POST", "/internal/tickets", "127.0.0.1", port=port) == 200
    assert len(proxy.upstream.seen) == 6


async def test_the_servers_see_the_address_haproxy_saw_never_the_clients_own_header(proxy: Proxy) -> None:
    spoofed = {"X-Forwarded-For": "203.0.113.9, 10.0.0.1", "Forwarded": "for=203.0.113.9"}
    assert await proxy.send("GET", "/api/me", "127.0.3.7", headers=spoofed) == 200
    assert await proxy.send("POST", "/webhooks/messenger/webhook", "127.0.3.8") == 200
    assert [xff for _, _, xff in proxy.upstream.seen] == ["127.0.3.7", "127.0.3.8"]


async def test_a_burst_over_the_rate_gets_429_while_another_address_passes(proxy: Proxy) -> None:
    statuses = [await proxy.send("GET", "/widget/widget.js", "127.0.4.1") for _ in range(LIMITS.requests_per_10s + 5)]
    assert statuses[:LIMITS.requests_per_10s] == [200] * LIMITS.requests_per_10s
    assert set(statuses[LIMITS.requests_per_10s:]) == {429}
    assert await proxy.send("GET", "/widget/widget.js", "127.0.4.2") == 200
    assert await proxy.send("POST", "/webhooks/messenger/webhook", "127.0.4.1") == 200  # Meta: limited per PSID


async def test_signing_in_has_a_tighter_rate(proxy: Proxy) -> None:
    statuses = [await proxy.send("POST", "/login", "127.0.5.1") for _ in range(LIMITS.sign_ins_per_minute + 2)]
    assert statuses == [200] * LIMITS.sign_ins_per_minute + [429, 429]
    assert await proxy.send("GET", "/login", "127.0.5.1") == 200  # the page itself is not a try
    assert await proxy.send("POST", "/login", "127.0.5.2") == 200


async def test_new_chat_sessions_are_capped_per_address_but_open_ones_go_on(proxy: Proxy) -> None:
    handshake = "/socket.io/?EIO=4&transport=polling"
    statuses = [await proxy.send("GET", handshake, "127.0.6.1") for _ in range(LIMITS.new_chats_per_minute + 2)]
    assert statuses == [200] * LIMITS.new_chats_per_minute + [429, 429]
    assert await proxy.send("GET", handshake + "&sid=s1", "127.0.6.1") == 200
    assert await proxy.send("GET", handshake, "127.0.6.2") == 200


async def test_concurrent_connections_over_the_cap_get_429(proxy: Proxy) -> None:
    held = [await _open(proxy.ports.public, "127.0.7.1") for _ in range(LIMITS.connections_per_client)]
    try:
        assert await proxy.send("GET", "/demo", "127.0.7.1") == 429
        assert await proxy.send("GET", "/demo", "127.0.7.2") == 200
    finally:
        for _, writer in held:
            writer.close()


async def _open(port: int, source: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A kept-alive connection that has had one answer (so HAProxy counts it)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))
    writer.write(b"GET /demo HTTP/1.1\r\nHost: shop\r\n\r\n")
    await writer.drain()
    assert (await reader.readline()).startswith(b"HTTP/1.1 200")
    return reader, writer
