"""Run the handoff service: ``python -m handoff`` (HANDOFF_HOST, HANDOFF_PORT, REDIS_URL)."""

from __future__ import annotations

import logging
import os
import sys

from aiohttp import web

from handoff.app import create_app
from handoff.settings import Settings, SettingsError

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def main() -> None:
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"), format=LOG_FORMAT)
    try:
        settings = Settings.from_env(os.environ)
    except SettingsError as exc:
        sys.exit(f"handoff: {exc}")
    web.run_app(create_app(settings), host=settings.host, port=settings.port, print=None)


if __name__ == "__main__":
    main()
