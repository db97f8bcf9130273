"""Run the handoff service: ``python -m handoff`` (HANDOFF_HOST, HANDOFF_PORT, REDIS_URL)."""

from __future__ import annotations

import os
import sys

from aiohttp import web

from bot.core import logs
from handoff.app import create_app
from handoff.settings import Settings, SettingsError


def main() -> None:
    try:
        logs.configure_from_env(os.environ)  # LOG_FORMAT (text or json), LOG_LEVEL
        settings = Settings.from_env(os.environ)
    except SettingsError as exc:
        sys.exit(f"handoff: {exc}")
    web.run_app(create_app(settings), host=settings.host, port=settings.port, print=None)


if __name__ == "__main__":
    main()
