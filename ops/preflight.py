"""Checks that run before the stack starts; each failure is one line naming problem and fix."""

from __future__ import annotations

import errno
import socket
from pathlib import Path

from bot.core.redis_config import RedisConfig

TLS_HINT = " (over TLS: is REDIS_TLS_CA_FILE the CA that signed Redis's certificate for this host?)"
PLAIN_HINT = " (if that port speaks TLS, the URL must start rediss://)"


class PreflightError(RuntimeError):
    """Something the stack needs is missing or taken; the message says what to do."""


def check_port_free(host: str, port: int, variable: str) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PreflightError(
                    f"port {port} ({variable}) is already in use: stop what listens there "
                    f"(ss -ltnp 'sport = :{port}') or set {variable} to a free port"
                ) from None
            raise PreflightError(f"cannot bind {host}:{port} ({variable}): {exc.strerror}") from None


def check_redis_reachable(config: RedisConfig, timeout: float = 2.0) -> None:
    import redis
    from redis.sentinel import MasterNotFoundError

    from bot.core.redis_clients import sync_client

    client = sync_client(config, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        client.ping()
    except MasterNotFoundError:
        raise PreflightError(
            f"REDIS_SENTINELS {config.sentinel_list()} name no master {config.sentinel_master!r} (none of them "
            "answered, or none monitors that name): check REDIS_SENTINELS and REDIS_SENTINEL_MASTER "
            "against `sentinel monitor` in sentinel.conf"
        ) from None
    except redis.AuthenticationError:
        raise PreflightError(
            f"REDIS_URL {config.shown()} refused the user or password: fix them in REDIS_URL"
        ) from None
    except redis.RedisError as exc:
        hint = TLS_HINT if config.tls else PLAIN_HINT if isinstance(exc, redis.ConnectionError) else ""
        raise PreflightError(
            f"REDIS_URL {config.shown()} is unreachable ({exc.__class__.__name__}){hint}: start Redis there, "
            "fix REDIS_URL, or unset it to use the embedded Redis"
        ) from None
    finally:
        client.close()


def check_model(path: Path) -> None:
    if not path.exists():
        raise PreflightError(f"no Rasa model at {path}: run `make model` (or `make run`, which trains it)")


def check_index(root: Path) -> None:
    if not (root / "CURRENT").exists():
        raise PreflightError(f"no FAQ index in {root}: run `make index`")
