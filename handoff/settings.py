"""Settings of the handoff service, from the environment; failures name the variable."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

DEFAULT_REDIS_URL = "redis://127.0.0.1:6390/0"
DEFAULT_PUBLIC_RASA_URL = "http://127.0.0.1:5005"


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


def check_public_url(url: str, name: str) -> str:
    """An absolute http(s) URL that browsers can reach (put into pages, so no spaces or quotes)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        parts = None
    if (
        parts is None
        or not url.startswith(("http://", "https://"))
        or not parts.hostname
        or any(c.isspace() or c in "\"'<>" for c in url)
    ):
        raise SettingsError(f"{name} must be an http:// or https:// URL such as http://rasa.example:5005, got {url!r}")
    return url


@dataclass(frozen=True)
class Settings:
    host: str
    port: int
    redis_url: str
    # Where customers' browsers reach Rasa's socket.io channel (the web widget connects there).
    public_rasa_url: str = DEFAULT_PUBLIC_RASA_URL

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        return cls(
            host=environ.get("HANDOFF_HOST", "127.0.0.1"),
            port=_port(environ, "HANDOFF_PORT", "8008"),
            redis_url=check_redis_url(environ.get("REDIS_URL", DEFAULT_REDIS_URL)),
            public_rasa_url=check_public_url(
                environ.get("PUBLIC_RASA_URL", DEFAULT_PUBLIC_RASA_URL), "PUBLIC_RASA_URL"
            ),
        )
