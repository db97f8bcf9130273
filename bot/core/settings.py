"""Helpers that read one setting from the environment; every failure names the variable.

Each service builds one frozen settings object from these at start (``handoff.settings``,
``actions.settings``, ``bot.brain.settings``, ``bot.learning.paths``), so a missing or
malformed variable stops it there, not at the first message.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

MIN_SECRET_CHARS = 16
DEFAULT_INDEX_DIR = "var/index"
DEFAULT_FAQ_DIR = "faq_corpus/faq"
DEFAULT_APPROVED_DIR = "faq_corpus/archive"
DEFAULT_EMBEDDER = "e5"


class SettingsError(ValueError):
    """An environment variable is missing or has a bad value; the message names it."""


def port(environ: Mapping[str, str], name: str, default: str) -> int:
    raw = environ.get(name, default)
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise SettingsError(f"{name} must be a port number (1-65535), got {raw!r}")
    return int(raw)


def whole_number(environ: Mapping[str, str], name: str, default: str, low: int, high: int, unit: str = "") -> int:
    raw = environ.get(name, default)
    if not raw.isdigit() or not low <= int(raw) <= high:
        what = f"a number of {unit}" if unit else "a whole number"
        raise SettingsError(f"{name} must be {what} ({low}-{high}), got {raw!r}")
    return int(raw)


def choice(environ: Mapping[str, str], name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = environ.get(name, default)
    if value not in allowed:
        raise SettingsError(f"{name} must be one of {', '.join(allowed)}, got {value!r}")
    return value


def secret(environ: Mapping[str, str], name: str, why: str) -> str:
    value = environ.get(name, "")
    if len(value) < MIN_SECRET_CHARS:
        raise SettingsError(f"{name} must be set to a secret of at least {MIN_SECRET_CHARS} characters ({why}); "
                            "`make run` generates one")
    return value


def redis_url(url: str, name: str = "REDIS_URL") -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss", "unix") or not (parts.hostname or parts.path):
        raise SettingsError(f"{name} must look like redis://host:port/db, got {url!r}")
    return url


def http_url(url: str, name: str) -> str:
    """An absolute http(s) URL (also put into pages, so no spaces or quotes)."""
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


def index_dir(environ: Mapping[str, str]) -> Path:
    """Where index versions live (``INDEX_DIR``): the one place that reads it."""
    return Path(environ.get("INDEX_DIR", DEFAULT_INDEX_DIR))


def faq_dir(environ: Mapping[str, str]) -> Path:
    """The FAQ's topic files (``FAQ_DIR``)."""
    return Path(environ.get("FAQ_DIR", DEFAULT_FAQ_DIR))


def approved_dir(environ: Mapping[str, str]) -> Path:
    """The question and answer pairs admins approved (``APPROVED_DIR``), which the index is built from.
    Not ``ARCHIVE_DIR``: that is the live archive of finished conversations."""
    return Path(environ.get("APPROVED_DIR", DEFAULT_APPROVED_DIR))


def embedder_name(environ: Mapping[str, str]) -> str:
    return environ.get("EMBEDDER", DEFAULT_EMBEDDER)
