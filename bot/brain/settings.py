"""Settings of the brain, read once from the environment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.core import settings as env
from bot.core.faq import REGISTERS
from bot.core.settings import SettingsError

__all__ = ["BrainSettings", "SettingsError"]


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
        threshold = environ.get("ANSWER_THRESHOLD")
        try:
            answer_threshold = float(threshold) if threshold else None
        except ValueError:
            raise SettingsError(f"ANSWER_THRESHOLD must be a number, got {threshold!r}") from None
        return cls(
            faq_dir=env.faq_dir(environ),
            index_dir=env.index_dir(environ),
            embedder=env.embedder_name(environ),
            register=env.choice(environ, "BRAND_REGISTER", "ty", REGISTERS),
            answer_threshold=answer_threshold,
            embed_threads=env.whole_number(environ, "EMBED_THREADS", "1", 1, 64),
        )
