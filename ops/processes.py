"""Start the product's real processes (for tests, benchmarks and fault runs) and stop them."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path

import redis

REPO = Path(__file__).resolve().parent.parent


class Process:
    """A child process whose output goes to a log file, shown when it fails."""

    def __init__(
        self, name: str, argv: Sequence[str], env: Mapping[str, str], log_dir: Path, cwd: Path = REPO
    ) -> None:
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            list(argv), cwd=cwd, env={**os.environ, **env}, stdout=self._log, stderr=subprocess.STDOUT
        )

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def wait_http(self, url: str, timeout: float, poll: float = 0.25) -> None:
        """Poll ``url`` every ``poll`` seconds until it answers 200, the process dies, or ``timeout`` passes."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(poll)
        raise TimeoutError(f"{self.name} not ready at {url} after {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


def copy_index(built: Path, target: Path) -> Path:
    """The live version of ``built`` (and its embedding cache) as the only version in ``target``."""
    version = (built / "CURRENT").read_text().strip()
    shutil.copytree(built / version, target / version)
    if (built / ".embeddings").is_dir():
        shutil.copytree(built / ".embeddings", target / ".embeddings")
    (target / "CURRENT").write_text(version + "\n")
    return target


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def free_ports(count: int) -> list[int]:
    """``count`` different free ports (each held until all are found, so none repeats)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


# credentials.yml reads these; empty leaves the Messenger channel off (and names its inbox
# worker after the host: replicas on one machine set MESSENGER_CONSUMER each).
MESSENGER_OFF = {name: "" for name in (
    "MESSENGER_VERIFY_TOKEN", "MESSENGER_APP_SECRET", "MESSENGER_PAGE_ACCESS_TOKEN", "MESSENGER_GRAPH_URL",
    "MESSENGER_CONSUMER")}
RASA_ENV = {"RASA_TELEMETRY_ENABLED": "false", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}


def action_server(port: int, index_dir: Path, embedder: str, log_dir: Path,
                  extra: Mapping[str, str] | None = None, name: str = "actions") -> Process:
    env = {"ACTION_PORT": str(port), "INDEX_DIR": str(index_dir), "EMBEDDER": embedder, **(extra or {})}
    return Process(name, [str(REPO / ".venv/bin/python"), "-m", "actions"], env, log_dir)


def handoff_server(port: int, redis_url: str, log_dir: Path, env: Mapping[str, str] | None = None,
                   name: str = "handoff") -> Process:
    """The handoff service (queue, console, widget files) on loopback."""
    base = {"HANDOFF_HOST": "127.0.0.1", "HANDOFF_PORT": str(port), "REDIS_URL": redis_url}
    return Process(name, [str(REPO / ".venv/bin/python"), "-m", "handoff"], {**base, **(env or {})}, log_dir)


def rasa_server(
    model: Path, port: int, log_dir: Path, token: str, env: Mapping[str, str] | None = None,
    cwd: Path = REPO, config_files: bool = True, name: str = "rasa",
) -> Process:
    """``rasa run`` with the HTTP API behind ``token``; the project's channels and endpoints and its
    Rasa patches (``python -m bot.rasa_side``) by default, plain Rasa without ``config_files``."""
    rasa = [str(REPO / ".venv-rasa/bin/python"), "-m", "bot.rasa_side"] if config_files else \
        [str(REPO / ".venv-rasa/bin/rasa")]
    argv = [*rasa, "run", "--enable-api", "--auth-token", token,
            "-i", "127.0.0.1", "-p", str(port), "-m", str(model)]
    if config_files:
        argv += ["--credentials", "credentials.yml", "--endpoints", "endpoints.yml"]
    return Process(name, argv, {**RASA_ENV, **(env or {})}, log_dir, cwd=cwd)


def redis_env(port: int, action_port: int) -> dict[str, str]:
    """What endpoints.yml reads, for a Redis on loopback and a local action server."""
    return {
        "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}/webhook",
        "REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(port), "REDIS_DB": "0", "REDIS_PASSWORD": "",
        "TRACKER_TTL_SECONDS": "3600", **MESSENGER_OFF,
    }


class RedisServer:
    """A redis-server on a free loopback port; ``durable`` keeps an append-only file fsynced
    on every write (as production should), so a restart loses nothing."""

    def __init__(self, directory: Path, durable: bool = False) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed: run `make setup`")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        persistence = ["--appendonly", "yes", "--appendfsync", "always"] if durable else ["--appendonly", "no"]
        self._argv = [binary, "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(directory),
                      "--save", "", *persistence]
        self._proc = subprocess.Popen(self._argv, stdout=subprocess.DEVNULL)
        self._wait()

    @property
    def pid(self) -> int:
        return int(self._proc.pid)

    def restart(self) -> float:
        """Stop (as a service manager does: SIGTERM) and start again; seconds until it answers."""
        started = time.monotonic()
        self.stop()
        self._proc = subprocess.Popen(self._argv, stdout=subprocess.DEVNULL)
        self._wait(timeout=30)
        return time.monotonic() - started

    def _wait(self, timeout: float = 10.0) -> None:
        client = redis.Redis(port=self.port)
        deadline = time.monotonic() + timeout
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
            finally:
                client.close()

    def stop(self) -> None:
        self._proc.terminate()
        self._proc.wait(timeout=10)
