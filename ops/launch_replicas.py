"""Start two of each server behind HAProxy, in the foreground, against one Redis.

    python -m ops.launch_replicas        (called by `make run-replicas`)

The same environment as `make run` (README, "Configuration"). Customers and moderators use
HAProxy's public frontend, PUBLIC_HOST:PUBLIC_PORT (127.0.0.1:8080; ops/edge.py: only the
widget, the Messenger webhook and the console, with per-client limits PROXY_*). RASA_PORT,
HANDOFF_PORT and ACTION_PORT become HAProxy's loopback frontends (the whole APIs, for the
processes and tools on the machine), HAPROXY_STATS_PORT (8404) its statistics page. The six
servers listen on free loopback ports and log to var/log/replicas/. Ctrl-C stops everything.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from types import FrameType

from bot.core.redis_config import TLS_FILE_VARIABLES
from bot.core.settings import SettingsError, embedder_name, index_dir, port
from ops.edge import Limits
from ops.env_file import ENV_FILE, with_env_file
from ops.haproxy import Frontends
from ops.launch import (
    MODEL,
    REDIS_CONF,
    SERVICE_TOKEN_FILE,
    embedded_redis_password,
    preflight,
    rasa_token,
    redis_config,
    stack_env,
    stored_secret,
    write_redis_conf,
)
from ops.preflight import PreflightError, check_port_free, check_redis_reachable
from ops.processes import Process
from ops.replicas import Replicas, ReplicaSettings, start_replicas

LOG_DIR = Path("var/log/replicas")
DEFAULT_STATS_PORT = "8404"
DEFAULT_PUBLIC = {"PUBLIC_HOST": "127.0.0.1", "PUBLIC_PORT": "8080"}
PASSED_TO_RASA = ("MESSENGER_APP_SECRET", "MESSENGER_VERIFY_TOKEN", "MESSENGER_PAGE_ACCESS_TOKEN",
                  "MESSENGER_GRAPH_URL")


def settings(env: Mapping[str, str]) -> ReplicaSettings:
    """What the replicas need; everything else (opening hours, archive paths…) the servers
    read from the environment they inherit, as under `make run`."""
    env = {**DEFAULT_PUBLIC, **env}
    try:
        stats, public = port(env, "HAPROXY_STATS_PORT", DEFAULT_STATS_PORT), port(env, "PUBLIC_PORT", "")
        limits = Limits.from_env(env)
    except SettingsError as exc:
        raise PreflightError(str(exc)) from None
    check_port_free("127.0.0.1", stats, "HAPROXY_STATS_PORT")
    check_port_free(env["PUBLIC_HOST"], public, "PUBLIC_PORT")
    frontends = Frontends(rasa=int(env["RASA_PORT"]), handoff=int(env["HANDOFF_PORT"]),
                          actions=int(env["ACTION_PORT"]), stats=stats, public=public, public_host=env["PUBLIC_HOST"])
    return ReplicaSettings(
        model=MODEL, index_dir=index_dir(env), redis_url=env["REDIS_URL"], log_dir=LOG_DIR,
        token=env["RASA_TOKEN"], service_token=env["HANDOFF_SERVICE_TOKEN"], frontends=frontends,
        embedder=embedder_name(env), public_rasa_url=_public_rasa_url(env), limits=limits,
        rasa_env={name: env[name] for name in (*PASSED_TO_RASA, "TRACKER_TTL_SECONDS", *TLS_FILE_VARIABLES.values())})


def _public_rasa_url(env: Mapping[str, str]) -> str:
    """PUBLIC_RASA_URL if set; `make run`'s default (Rasa's own address) is loopback here, so
    empty: the public frontend."""
    url = env.get("PUBLIC_RASA_URL", "")
    return "" if url == env.get("RASA_URL") else url


def embedded_redis(env: Mapping[str, str]) -> Process:
    """The same Redis as `make run` (Procfile): append-only file under var/redis, the password
    in var/secrets/redis.conf."""
    Path("var/redis").mkdir(parents=True, exist_ok=True)
    argv = [shutil.which("redis-server") or "redis-server", str(REDIS_CONF), "--bind", "127.0.0.1", "--port",
            env["EMBEDDED_REDIS_PORT"], "--dir", "var/redis", "--appendonly", "yes", "--appendfsync", "everysec",
            "--save", "300 1", "--protected-mode", "yes"]
    redis = Process("redis", argv, {}, LOG_DIR)
    deadline = time.monotonic() + 30
    while True:
        try:
            check_redis_reachable(redis_config(env), timeout=1)
            return redis
        except PreflightError:
            if redis.proc.poll() is not None or time.monotonic() > deadline:
                redis.stop()
                raise PreflightError(f"the embedded Redis did not start:\n{redis.log_tail()}") from None
            time.sleep(0.2)


def banner(replicas: Replicas) -> str:
    f = replicas.settings.frontends
    return "\n".join([
        "Volta customer-care stack, replicated: 2 Rasa, 2 action servers, 2 handoff services behind HAProxy.",
        f"  Public (only this on the internet): {replicas.public_url}",
        f"  Demo shop + widget: {replicas.public_url}/demo",
        f"  Moderator console:  {replicas.public_url}/",
        f"  Messenger webhook:  {replicas.public_url}/webhooks/messenger/webhook",
        f"  Chat (REST, loopback only): curl -s -XPOST {replicas.rasa_url}/webhooks/rest/webhook "
        """-d '{"sender":"t1","message":"Jak zwrócić produkt?"}'""",
        f"  HAProxy statistics: http://127.0.0.1:{f.stats}/",
        f"  Servers' own ports: {', '.join(f'{n} {p}' for n, p in sorted(replicas.ports.items()))}",
        f"  Logs:               {LOG_DIR}/",
        "Stop everything with Ctrl-C.",
    ])


def _stop_on_signal(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def watch(replicas: Replicas, redis: Process | None) -> int:
    """Until Ctrl-C (0) or until a process dies (1, with its log's tail)."""
    processes = {**replicas.processes, "haproxy": replicas.balancer, "redis": redis}
    try:
        while True:
            for name, process in processes.items():
                if process is not None and process.proc.poll() is not None:
                    print(f"make run-replicas: {name} exited with {process.proc.returncode}:\n{process.log_tail()}",
                          file=sys.stderr)
                    return 1
            time.sleep(1)
    except KeyboardInterrupt:
        print("stopping…", flush=True)
        return 0


def main() -> int:
    for signum in (signal.SIGINT, signal.SIGTERM):  # SIGINT too: a shell may have started us ignoring it
        signal.signal(signum, _stop_on_signal)
    try:
        environ, from_file = with_env_file(os.environ)  # .env, read on purpose (ops.env_file)
        if from_file:
            print(f"{ENV_FILE}: {', '.join(from_file)} (set in the shell, a variable wins)", flush=True)
        redis_password = "" if environ.get("REDIS_URL") else embedded_redis_password(environ)
        env, processes = stack_env(environ, redis_password)
        preflight(env, processes)
        env["RASA_TOKEN"] = rasa_token(env)
        env["HANDOFF_SERVICE_TOKEN"] = stored_secret(env, "HANDOFF_SERVICE_TOKEN", SERVICE_TOKEN_FILE)
        replica_settings = settings(env)
    except PreflightError as exc:
        print(f"make run-replicas: {exc}", file=sys.stderr)
        return 1
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    redis: Process | None = None
    replicas: Replicas | None = None
    try:
        if "redis" in processes:
            write_redis_conf(REDIS_CONF, redis_password)
        redis = embedded_redis(env) if "redis" in processes else None
        print("Starting; Rasa answers once both servers loaded their model (1-3 minutes)…", flush=True)
        replicas = start_replicas(replica_settings)
        print(banner(replicas), flush=True)
        return watch(replicas, redis)
    except KeyboardInterrupt:
        return 0
    except (PreflightError, RuntimeError, TimeoutError) as exc:
        print(f"make run-replicas: {exc}", file=sys.stderr)
        return 1
    finally:
        if replicas is not None:
            replicas.stop()
        if redis is not None:
            redis.stop()


if __name__ == "__main__":
    sys.exit(main())
