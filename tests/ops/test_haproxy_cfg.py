"""HAProxy's configuration for a deployment, from the units' environment file: valid for haproxy
itself, pointing at the services' ports, and a bad value refused by name."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ops.haproxy import haproxy_binary
from ops.processes import REPO


def run(env_file: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ops.haproxy_cfg", str(env_file)], cwd=REPO, capture_output=True,
                          text=True, timeout=30)


def test_the_configuration_is_valid_and_fronts_the_services_ports(tmp_path: Path) -> None:
    env_file = tmp_path / "careassist.env"
    env_file.write_text('RASA_PORT="5105"\nHANDOFF_PORT=8108\nPUBLIC_HOST=0.0.0.0\nPUBLIC_PORT=8443\n'
                        "PROXY_SIGN_INS_PER_MINUTE=7\n")
    result = run(env_file)
    assert result.returncode == 0, result.stderr
    cfg = tmp_path / "haproxy.cfg"
    cfg.write_text(result.stdout)
    check = subprocess.run([haproxy_binary(), "-c", "-f", str(cfg)], capture_output=True, text=True, timeout=30)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "bind 0.0.0.0:8443" in result.stdout
    assert "server rasa1 127.0.0.1:5105 check" in result.stdout and "server handoff1 127.0.0.1:8108" in result.stdout
    assert "server actions1 127.0.0.1:5055" in result.stdout  # ACTION_PORT's default
    assert "gt 7 }" in result.stdout  # the sign-in limit from the file


def test_a_bad_port_is_refused_by_name(tmp_path: Path) -> None:
    env_file = tmp_path / "careassist.env"
    env_file.write_text("PUBLIC_PORT=99999\n")
    result = run(env_file)
    assert result.returncode == 1 and "PUBLIC_PORT must be a port number" in result.stderr
    assert result.stdout == ""
