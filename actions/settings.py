"""Settings of the action server, read once at start; a missing or bad variable stops it and is named."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.brain.settings import BrainSettings
from bot.core import settings as env
from bot.core.settings import SettingsError

__all__ = ["ActionSettings", "SettingsError"]
DEFAULT_HANDOFF_URL = "http://127.0.0.1:8008"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


@dataclass(frozen=True)
class ActionSettings:
    brain: BrainSettings
    host: str = "127.0.0.1"
    port: int = 5055
    handoff_url: str = DEFAULT_HANDOFF_URL  # the handoff service, for tickets and who owns a conversation
    handoff_token: str = field(default="", repr=False)  # its key to /internal
    log_level: str = "INFO"

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> ActionSettings:
        return cls(
            brain=BrainSettings.from_env(environ),
            host=environ.get("ACTION_HOST", "127.0.0.1"),
            port=env.port(environ, "ACTION_PORT", "5055"),
            handoff_url=env.http_url(environ.get("HANDOFF_URL", DEFAULT_HANDOFF_URL), "HANDOFF_URL").rstrip("/"),
            handoff_token=env.secret(environ, "HANDOFF_SERVICE_TOKEN", "the action server's key to open tickets"),
            log_level=env.choice(environ, "LOG_LEVEL", "INFO", LOG_LEVELS),
        )
