"""Checks that run before the stack starts; each failure is one line naming problem and fix."""

from __future__ import annotations

import errno
import socket
from pathlib import Path
from urllib.parse import urlsplit


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


def check_redis_reachable(url: str, timeout: float = 2.0) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        client.ping()
    except redis.RedisError as exc:
        parts = urlsplit(url)
        shown = parts._replace(netloc=f"{parts.hostname}:{parts.port or 6379}").geturl()  # no password
        raise PreflightError(
            f"REDIS_URL {shown} is unreachable ({exc.__class__.__name__}): start Redis there, "
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
