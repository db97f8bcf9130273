"""Run the action server on loopback with the brain loaded before it serves.

    python -m actions        (ACTION_HOST, ACTION_PORT; see README)
"""

from __future__ import annotations

import logging
import os
import sys

from rasa_sdk.endpoint import create_app
from rasa_sdk.executor import ActionExecutor

from actions.brain_provider import default_provider
from actions.prefetch import add_prefetch_route
from actions.suggest import add_suggest_route
from bot.settings import SettingsError, port_from_env

logger = logging.getLogger(__name__)
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


async def _warm_up(app: object, loop: object) -> None:
    brain = await default_provider.get()
    await default_provider.decide("rozgrzewka")  # first inference allocates buffers
    logger.info("brain ready: %d topics, embedder %s", len(brain.entries), brain.embedder.name)


def main() -> None:
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"), format=LOG_FORMAT)
    try:
        port = port_from_env(os.environ, "ACTION_PORT", "5055")
    except SettingsError as exc:
        sys.exit(f"actions: {exc}")
    host = os.environ.get("ACTION_HOST", "127.0.0.1")
    executor = ActionExecutor()
    executor.register_package("actions")
    app = create_app(executor, cors_origins=None)
    add_suggest_route(app)
    add_prefetch_route(app)
    app.register_listener(_warm_up, "before_server_start")
    app.run(host=host, port=port, single_process=True, access_log=False, motd=False)


if __name__ == "__main__":
    main()
