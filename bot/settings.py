"""Settings of the brain, read once from the environment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.faq import REGISTERS


class SettingsError(ValueError):
    """An environment variable is missing or has a bad value; the message names it."""


def port_from_env(environ: Mapping[str, str], name: str, default: str) -> int:
    raw = environ.get(name, default)
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise SettingsError(f"{name} must be a port number (1-65535), got {raw!r}")
    return int(raw)


@dataclass(frozen=True)
class BrainSettings:
    faq_dir: Path
    index_dir: Path
    embedder: str
    register: str
    answer_threshold: float | None
    # One thread: the action server shares 2 cores with Rasa and Redis, and two OpenMP threads
    # then wait for each other (bench/results/e5_threads.md). 2 pays off on cores of its own.
    embed_threads: int = 1

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> BrainSettings:
        register = environ.get("BRAND_REGISTER", "ty")
        if register not in REGISTERS:
            raise SettingsError(f"BRAND_REGISTER must be one of {REGISTERS}, got {register!r}")
        threshold = environ.get("ANSWER_THRESHOLD")
        try:
            answer_threshold = float(threshold) if threshold else None
        except ValueError:
            raise SettingsError(f"ANSWER_THRESHOLD must be a number, got {threshold!r}") from None
        threads = environ.get("EMBED_THREADS", "1")
        if not threads.isdigit() or not 1 <= int(threads) <= 64:
            raise SettingsError(f"EMBED_THREADS must be a whole number from 1 to 64, got {threads!r}")
        return cls(
            faq_dir=Path(environ.get("FAQ_DIR", "faq_corpus/faq")),
            index_dir=Path(environ.get("INDEX_DIR", "var/index")),
            embedder=environ.get("EMBEDDER", "e5"),
            register=register,
            answer_threshold=answer_threshold,
            embed_threads=int(threads),
        )
