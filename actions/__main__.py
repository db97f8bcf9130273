"""Run the action server on loopback with the brain loaded before it serves.

    python -m actions        (settings in ``actions.settings``; see README)
"""

from __future__ import annotations

import logging
import os
import sys

from rasa_sdk.endpoint import create_app
from rasa_sdk.executor import ActionExecutor

from actions.brain_provider import default_provider
from actions.handoff_client import default_client
from actions.log_context import add_conversation_ids
from actions.metrics import add_metrics
from actions.prefetch import add_prefetch_route
from actions.readiness import add_ready_route
from actions.settings import ActionSettings, SettingsError
from actions.suggest import add_suggest_route
from bot.core import logs

logger = logging.getLogger(__name__)


async def _warm_up(app: object, loop: object) -> None:
    brain = await default_provider.get()
    await default_provider.decide("rozgrzewka")  # first inference allocates buffers
    logger.info("brain ready: %d topics, embedder %s", len(brain.entries), brain.embedder.name)


def main() -> None:
    try:
        settings = ActionSettings.from_env(os.environ)
        log_format = logs.log_format(os.environ)
    except SettingsError as exc:
        sys.exit(f"actions: {exc}")
    logs.configure(log_format, settings.log_level)
    default_provider.configure(settings.brain)
    default_client.configure(settings.handoff_url, settings.handoff_token)
    executor = ActionExecutor()
    executor.register_package("actions")
    app = create_app(executor, cors_origins=None)
    add_suggest_route(app)
    add_prefetch_route(app)
    add_metrics(app, settings.handoff_token, lambda: default_provider.current)
    add_conversation_ids(app)
    add_ready_route(app)
    app.register_listener(_warm_up, "before_server_start")
    app.run(host=settings.host, port=settings.port, single_process=True, access_log=False, motd=False)


if __name__ == "__main__":
    main()
