"""HAProxy in front of the replicas: the configuration, the process, and its statistics.

Debian's ``haproxy`` package (``make setup``) gives the binary; it is never run as the
system service here. ``config`` writes the public frontend (``ops/edge.py``: the widget's
socket.io, the Messenger webhook and the handoff service's pages for people, with per-client
limits; everything else 404) and one frontend per service on loopback, whole, for the
processes and the tools on the machine:

- Rasa: REST and the Messenger webhook go round robin. The widget's socket.io goes to its
  own backend with sticky sessions: a polling client's requests carry ``sid=<engine.io
  session>`` and must reach the server that made the session, so HAProxy learns the sid from
  the handshake's ``Set-Cookie: io=<sid>`` (``bot/rasa_side/channels/webchat.py``) and sends every
  request with that ``sid`` to the same server; a WebSocket is one connection and stays put.
  Cookies alone would not do: the widget runs on the brand's site, and a browser does not
  send cookies with cross-site polling requests.
- The handoff service: round robin; sessions, CSRF tokens and the live feed's pub/sub are
  in Redis, so any replica serves any request.
- The action servers (loopback only, for Rasa and the handoff service): least connections,
  because an answer costs from 1 to 50 ms of CPU.

Every backend is checked once a second on ``/ready``; a server that fails two checks is taken out
and a request that could not connect is sent to another server (``option redispatch``).
"""

from __future__ import annotations

import csv
import io
import shutil
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ops.edge import Limits, public_frontend
from ops.processes import Process

# Every server's readiness (model or brain loaded, Redis reachable, background loops running;
# 503 otherwise): a server that answers but cannot serve is taken out like a dead one.
READY = "/ready"
LONG_LIVED = "1h"  # WebSockets: engine.io pings every 25 s, so an idle widget is never cut off


@dataclass(frozen=True)
class Frontends:
    """HAProxy's own ports; customers and moderators reach ``public`` on ``public_host``, the
    others are bound to loopback (the processes' and the tools' way to the servers)."""

    rasa: int
    handoff: int
    actions: int
    stats: int
    public: int
    public_host: str = "127.0.0.1"


Servers = Sequence[tuple[str, int]]


def _servers(servers: Servers, check: bool = True, track: str = "") -> list[str]:
    lines = []
    for name, port in servers:
        health = f" track {track}/{name}" if track else (" check" if check else "")
        lines.append(f"    server {name} 127.0.0.1:{port}{health}")
    return lines


def config(ports: Frontends, rasa: Servers, handoff: Servers, actions: Servers, limits: Limits | None = None) -> str:
    return "\n".join([
        "global",
        "    maxconn 4096",
        "    log stdout format raw local0 info",
        "",
        "defaults",
        "    mode http",
        "    log global",
        "    option httplog",
        "    option dontlog-normal  # only errors and retries reach the log",
        "    option forwardfor",
        "    option redispatch",
        "    retries 2",
        "    timeout connect 2s",
        "    timeout client 60s",
        "    timeout server 60s  # an answer under load; the live feed sends a comment every 4 s",
        "    timeout http-request 10s",
        "    timeout queue 30s",
        f"    timeout tunnel {LONG_LIVED}",
        "    default-server inter 1s fall 2 rise 2",
        "",
        *public_frontend(ports.public_host, ports.public, limits or Limits()),
        "frontend rasa",
        f"    bind 127.0.0.1:{ports.rasa}",
        "    use_backend rasa_socketio if { path_beg /socket.io/ }",
        "    default_backend rasa",
        "",
        "backend rasa",
        "    balance roundrobin",
        f"    option httpchk GET {READY}",
        "    http-check expect status 200",
        *_servers(rasa),
        "",
        "backend rasa_socketio",
        "    balance roundrobin",
        "    stick-table type string len 64 size 200k expire 30m",
        "    stick store-response res.cook(io)",
        "    stick match url_param(sid)",
        *_servers(rasa, track="rasa"),
        "",
        "frontend handoff",
        f"    bind 127.0.0.1:{ports.handoff}",
        "    default_backend handoff",
        "",
        "backend handoff",
        "    balance roundrobin",
        f"    option httpchk GET {READY}",
        "    http-check expect status 200",
        *_servers(handoff),
        "",
        "frontend actions",
        f"    bind 127.0.0.1:{ports.actions}",
        "    default_backend actions",
        "",
        "backend actions",
        "    balance leastconn",
        f"    option httpchk GET {READY}",
        "    http-check expect status 200",
        *_servers(actions),
        "",
        "frontend stats",
        f"    bind 127.0.0.1:{ports.stats}",
        "    stats enable",
        "    stats uri /",
        "    stats refresh 5s",
        "",
    ])


def haproxy_binary() -> str:
    binary = shutil.which("haproxy") or ("/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None)
    if binary is None:
        raise RuntimeError("haproxy is not installed: run `make setup` (it installs Debian's haproxy)")
    return binary


def start(cfg: str, log_dir: Path) -> Process:
    """HAProxy in the foreground (``-db``) with ``cfg``, checked first (``-c``)."""
    path = log_dir / "haproxy.cfg"
    path.write_text(cfg)
    checked = Process("haproxy-check", [haproxy_binary(), "-c", "-q", "-f", str(path)], {}, log_dir)
    if checked.proc.wait(timeout=30) != 0:
        checked.stop()
        raise RuntimeError(f"haproxy rejected {path}:\n{checked.log_tail()}")
    checked.stop()
    return Process("haproxy", [haproxy_binary(), "-db", "-f", str(path)], {}, log_dir)


def stats(stats_port: int) -> dict[tuple[str, str], dict[str, str]]:
    """HAProxy's statistics, ``(proxy, server) -> row`` (``stot``: sessions, ``status``: UP/DOWN)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{stats_port}/;csv", timeout=5) as response:
        text = response.read().decode().lstrip("# ")
    return {(row["pxname"], row["svname"]): row for row in csv.DictReader(io.StringIO(text))}
