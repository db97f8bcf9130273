"""Start the product's real processes (for tests, benchmarks and fault runs) and stop them."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import redis

from bot.core.redis_config import RedisConfig

REPO = Path(__file__).resolve().parent.parent


class Process:
    """A child process whose output goes to a log file, shown when it fails."""

    def __init__(
        self, name: str, argv: Sequence[str], env: Mapping[str, str], log_dir: Path, cwd: Path = REPO,
        inherit_env: bool = True,
    ) -> None:
        """``env`` is added to this process's environment, or is the whole of it without ``inherit_env``
        (as a systemd unit's process gets only what its unit gives it)."""
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            list(argv), cwd=cwd, env={**(os.environ if inherit_env else {}), **env}, stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def wait_http(self, url: str, timeout: float, poll: float = 0.25, headers: Mapping[str, str] | None = None) -> None:
        """Poll ``url`` every ``poll`` seconds until it answers 200, the process dies, or ``timeout`` passes."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(urllib.request.Request(url, headers=dict(headers or {})),
                                            timeout=2) as response:
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
# The channels' settings (bot/rasa_side/settings.py) for tests and benchmarks on loopback: the
# REST channel on, the widget from the handoff service on loopback. Callers add their origins.
LOCAL_CHANNELS = {"REST_CHANNEL": "on", "WIDGET_ALLOWED_ORIGINS": "http://127.0.0.1,http://localhost"}
# Load tests and benchmarks send as one client from loopback, faster than any person.
NO_RATE_LIMITS = {**{name: "1000000" for name in (
    "LIMIT_CONVERSATION_PER_MINUTE", "LIMIT_IP_PER_MINUTE", "LIMIT_NEW_CONVERSATIONS_PER_IP_PER_HOUR",
    "LIMIT_PSID_PER_MINUTE")}, "RASA_HEAVY_MESSAGES_PER_SECOND": "100000"}


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
    # python -m bot.rasa_side takes the token from RASA_TOKEN, off the command line (ps)
    argv = [*rasa, "run", "--enable-api", *(() if config_files else ("--auth-token", token)),
            "-i", "127.0.0.1", "-p", str(port), "-m", str(model)]
    if config_files:
        argv += ["--credentials", "credentials.yml", "--endpoints", "endpoints.yml"]
    return Process(name, argv, {**RASA_ENV, **(LOCAL_CHANNELS if config_files else {}), **(env or {}),
                                "RASA_TOKEN": token}, log_dir, cwd=cwd)


def bearer(token: str) -> dict[str, str]:
    """Rasa's HTTP API token as a header (bot.rasa_side.patches.api_token), kept out of URLs and logs."""
    return {"Authorization": f"Bearer {token}"}


def redis_env(redis: str | RedisConfig, action_port: int) -> dict[str, str]:
    """What endpoints.yml and credentials.yml read, for ``redis`` (a ``RedisServer``'s ``url``:
    password and CA file in it; or a ``RedisConfig``, a Sentinel group's) and a local action server."""
    config = RedisConfig.from_url(redis) if isinstance(redis, str) else redis
    return {
        "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}/webhook",
        **config.endpoint_env(), "TRACKER_TTL_SECONDS": "3600", **MESSENGER_OFF,
    }


@dataclass(frozen=True)
class RedisTls:
    """A TLS-only redis-server's certificate and key, and the CA that signed it (and clients')."""

    ca_file: Path
    cert_file: Path
    key_file: Path


class RedisServer:
    """A redis-server on a free loopback port, behind a password (``password``; None: a random
    one) kept in a 0600 config file, not on the command line. ``durable`` keeps an append-only
    file fsynced on every write (as production should), so a restart loses nothing; ``tls``
    makes it speak TLS only; ``users`` adds ACL users (name -> password, every command)."""

    def __init__(self, directory: Path, durable: bool = False, password: str | None = None,
                 tls: RedisTls | None = None, users: Mapping[str, str] | None = None) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed: run `make setup`")
        self.port = free_port()
        self.password = secrets.token_urlsafe(16) if password is None else password
        self.config = RedisConfig(port=self.port, password=self.password, tls=tls is not None,
                                  ca_file=str(tls.ca_file) if tls else "")
        self.url = self.config.full_url()
        conf = directory / "redis.conf"
        lines = [f'requirepass "{self.password}"'] if self.password else []
        lines += [f"user {name} on >{secret} ~* &* +@all" for name, secret in (users or {}).items()]
        conf.touch(mode=0o600)
        conf.write_text("".join(f"{line}\n" for line in lines))
        listen = ["--port", str(self.port)] if tls is None else [
            "--port", "0", "--tls-port", str(self.port), "--tls-cert-file", str(tls.cert_file),
            "--tls-key-file", str(tls.key_file), "--tls-ca-cert-file", str(tls.ca_file), "--tls-auth-clients", "no"]
        persistence = ["--appendonly", "yes", "--appendfsync", "always"] if durable else ["--appendonly", "no"]
        self._argv = [binary, str(conf), "--bind", "127.0.0.1", *listen, "--dir", str(directory),
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
        client = redis.Redis(**self.config.client_kwargs())
        try:
            wait_ping(client, timeout, f"redis-server on port {self.port}")
        finally:
            client.close()

    def stop(self) -> None:
        self._proc.terminate()
        self._proc.wait(timeout=10)


def wait_ping(client: redis.Redis, timeout: float, what: str) -> None:
    """Until ``client`` answers PING; TimeoutError naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            client.ping()
            return
        except redis.RedisError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{what} did not answer within {timeout:.0f} s") from None
            time.sleep(0.05)
