"""Settings of the handoff service, from the environment; failures name the variable."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

DEFAULT_REDIS_URL = "redis://127.0.0.1:6390/0"


class SettingsError(ValueError):
    """An environment variable is missing or has a bad value."""


def _port(environ: Mapping[str, str], name: str, default: str) -> int:
    raw = environ.get(name, default)
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise SettingsError(f"{name} must be a port number (1-65535), got {raw!r}")
    return int(raw)


def check_redis_url(url: str, name: str = "REDIS_URL") -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss", "unix") or not (parts.hostname or parts.path):
        raise SettingsError(f"{name} must look like redis://host:port/db, got {url!r}")
    return url


@dataclass(frozen=True)
class Settings:
    host: str
    port: int
    redis_url: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        return cls(
            host=environ.get("HANDOFF_HOST", "127.0.0.1"),
            port=_port(environ, "HANDOFF_PORT", "8008"),
            redis_url=check_redis_url(environ.get("REDIS_URL", DEFAULT_REDIS_URL)),
        )
