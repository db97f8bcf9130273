"""Settings of the handoff service, from the environment; failures name the variable."""

from __future__ import annotations

import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bot.admin import Paths
from handoff.hours import OpeningHours

DEFAULT_REDIS_URL = "redis://127.0.0.1:6390/0"
DEFAULT_PUBLIC_RASA_URL = "http://127.0.0.1:5005"
DEFAULT_HOURS = "08:00-22:00"
DEFAULT_ZONE = "Europe/Warsaw"
MIN_SECRET_CHARS = 16


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


def _choice(environ: Mapping[str, str], name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = environ.get(name, default)
    if value not in allowed:
        raise SettingsError(f"{name} must be one of {', '.join(allowed)}, got {value!r}")
    return value


def _secret(environ: Mapping[str, str], name: str, why: str) -> str:
    value = environ.get(name, "")
    if len(value) < MIN_SECRET_CHARS:
        raise SettingsError(f"{name} must be set to a secret of at least {MIN_SECRET_CHARS} characters ({why}); "
                            "`make run` generates one")
    return value


def _minutes(environ: Mapping[str, str], name: str, default: str) -> int:
    raw = environ.get(name, default)
    if not raw.isdigit() or not 1 <= int(raw) <= 24 * 60:
        raise SettingsError(f"{name} must be a number of minutes (1-1440), got {raw!r}")
    return int(raw)


def _seconds(environ: Mapping[str, str], name: str, default: str) -> int:
    raw = environ.get(name, default)
    if not raw.isdigit() or not 1 <= int(raw) <= 7 * 24 * 3600:
        raise SettingsError(f"{name} must be a number of seconds (1-604800), got {raw!r}")
    return int(raw)


@dataclass(frozen=True)
class Settings:
    host: str
    port: int
    redis_url: str
    # Where customers' browsers reach Rasa's socket.io channel (the web widget connects there).
    public_rasa_url: str = DEFAULT_PUBLIC_RASA_URL
    rasa_url: str = "http://127.0.0.1:5005"  # Rasa's HTTP API, for replies and hand-backs
    rasa_token: str = field(default="", repr=False)
    service_token: str = field(default="", repr=False)  # the action server's key to /internal
    action_url: str = "http://127.0.0.1:5055"  # the action server, for suggested answers
    register: str = "ty"
    opening_hours: OpeningHours = field(default_factory=lambda: OpeningHours.parse(DEFAULT_HOURS, DEFAULT_ZONE))
    sla_minutes: int = 30
    cookie_secure: bool = False
    consumer: str = "handoff"
    archive_dir: Path = Path("var/archive")  # finished conversations, redacted (JSON Lines)
    archive_idle_seconds: int = 1800  # a conversation this long without a message has ended
    admin_paths: Paths = field(default_factory=lambda: Paths.from_env({}))  # proposals, FAQ, index (bot.admin)
    jobs_dir: Path = Path("var/jobs")  # output of mining and publishing runs

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        try:
            hours = OpeningHours.parse(environ.get("HANDOFF_OPENING_HOURS", DEFAULT_HOURS),
                                       environ.get("HANDOFF_TIMEZONE", DEFAULT_ZONE))
        except ValueError as e:
            raise SettingsError(f"HANDOFF_OPENING_HOURS / HANDOFF_TIMEZONE: {e}") from None
        except Exception:  # zoneinfo.ZoneInfoNotFoundError and friends
            raise SettingsError(f"HANDOFF_TIMEZONE must be an IANA zone such as {DEFAULT_ZONE}") from None
        return cls(
            host=environ.get("HANDOFF_HOST", "127.0.0.1"),
            port=_port(environ, "HANDOFF_PORT", "8008"),
            redis_url=check_redis_url(environ.get("REDIS_URL", DEFAULT_REDIS_URL)),
            public_rasa_url=check_public_url(
                environ.get("PUBLIC_RASA_URL", DEFAULT_PUBLIC_RASA_URL), "PUBLIC_RASA_URL"
            ),
            rasa_url=check_public_url(environ.get("RASA_URL", "http://127.0.0.1:5005"), "RASA_URL"),
            rasa_token=_secret(environ, "RASA_TOKEN", "to send moderators' replies through Rasa's HTTP API"),
            service_token=_secret(environ, "HANDOFF_SERVICE_TOKEN", "the action server's key to open tickets"),
            action_url=check_public_url(environ.get("ACTION_URL", "http://127.0.0.1:5055"), "ACTION_URL"),
            register=_choice(environ, "BRAND_REGISTER", "ty", ("ty", "pan")),
            opening_hours=hours,
            sla_minutes=_minutes(environ, "HANDOFF_SLA_MINUTES", "30"),
            cookie_secure=_choice(environ, "HANDOFF_COOKIE_SECURE", "false", ("true", "false")) == "true",
            consumer=environ.get("HANDOFF_CONSUMER") or socket.gethostname(),
            archive_dir=Path(environ.get("ARCHIVE_DIR", "var/archive")),
            archive_idle_seconds=_seconds(environ, "ARCHIVE_IDLE_SECONDS", "1800"),
            admin_paths=Paths.from_env(environ),
            jobs_dir=Path(environ.get("JOBS_DIR", "var/jobs")),
        )
