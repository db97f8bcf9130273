"""The HAProxy configuration of `make run-replicas`: valid for Debian's haproxy, sticky where it must be."""

import subprocess
from pathlib import Path

from ops.haproxy import Frontends, config, haproxy_binary
from ops.launch import stack_env
from ops.launch_replicas import settings
from ops.processes import free_port

PORTS = Frontends(rasa=free_port(), handoff=free_port(), actions=free_port(), stats=free_port())
SERVERS = {kind: [(f"{kind}-a", 1001), (f"{kind}-b", 1002)] for kind in ("rasa", "handoff", "actions")}


def test_the_configuration_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "haproxy.cfg"
    path.write_text(config(PORTS, **SERVERS))
    checked = subprocess.run([haproxy_binary(), "-c", "-f", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def test_socket_io_sessions_stick_to_the_server_that_made_them() -> None:
    text = config(PORTS, **SERVERS)
    socketio = text.split("\nbackend rasa_socketio\n")[1].split("\nfrontend")[0]
    assert "stick store-response res.cook(io)" in socketio and "stick match url_param(sid)" in socketio
    assert "server rasa-a 127.0.0.1:1001 track rasa/rasa-a" in socketio
    assert "use_backend rasa_socketio if { path_beg /socket.io/ }" in text


def test_make_run_replicas_takes_the_make_run_addresses() -> None:
    env, _ = stack_env({"RASA_PORT": str(PORTS.rasa), "HANDOFF_PORT": str(PORTS.handoff),
                        "ACTION_PORT": str(PORTS.actions), "HAPROXY_STATS_PORT": str(PORTS.stats)})
    replica = settings({**env, "RASA_TOKEN": "t" * 20, "HANDOFF_SERVICE_TOKEN": "s" * 20})
    assert replica.frontends == PORTS
    assert replica.rasa_url == f"http://127.0.0.1:{PORTS.rasa}"
    assert replica.rasa_env["MESSENGER_APP_SECRET"] == ""
