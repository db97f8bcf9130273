"""The Rasa server's log lines in ``LOG_FORMAT`` (``bot.core.logs``), with the conversation id.

Rasa installs coloredlogs on the root logger when a command starts
(``rasa.utils.io.configure_colored_logging``) and Sanic gives its own loggers handlers of their
own when Rasa builds the app (``update_sanic_log_level`` then stops them propagating). With
``LOG_FORMAT=json`` the first is replaced by ``bot.core.logs.configure`` and Sanic's loggers hand
their lines to the root logger, so every line is one JSON object. Whatever the format, a
message's handling (``Agent.handle_message``) runs with its sender id as the conversation id,
and this product's loggers (``bot.*``) get ``LOG_LEVEL`` of their own, as Rasa gives ``rasa.*``:
importing numpy's distutils while the model loads sets the root logger to WARNING.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from bot.core import logs

logger = logging.getLogger(__name__)
_original_handle: Any = None
_original_sanic_levels: Any = None
SANIC_LOGGERS = ("sanic.root", "sanic.error", "sanic.access")


def _configure_logging(loglevel: Any = None) -> None:
    """Instead of coloredlogs: Rasa's level (``--debug``, ``--quiet``) if given, else ``LOG_LEVEL``."""
    level = str((logging.getLevelName(loglevel) if isinstance(loglevel, int) else loglevel)
                or logs.log_level(os.environ))
    logs.configure("json", level)
    logging.getLogger("bot").setLevel(level)


def _sanic_levels(*args: Any, **kwargs: Any) -> None:
    """Rasa's levels for Sanic's loggers, which then still reach the root logger (they have no handlers)."""
    _original_sanic_levels(*args, **kwargs)
    for name in SANIC_LOGGERS:
        logging.getLogger(name).propagate = True


def _sanic_to_root() -> None:
    from sanic.log import LOGGING_CONFIG_DEFAULTS

    for logger in LOGGING_CONFIG_DEFAULTS["loggers"].values():
        logger["handlers"], logger["propagate"] = [], True


async def _handle_message(self: Any, message: Any) -> Any:
    """One INFO line a message: its channel and time, never its text (Rasa logs that at DEBUG)."""
    started = time.perf_counter()
    with logs.conversation(getattr(message, "sender_id", None)):
        try:
            return await _original_handle(self, message)
        finally:
            logger.info("message on %s handled in %.0f ms", getattr(message, "input_channel", None),
                        (time.perf_counter() - started) * 1000)


def install() -> None:
    global _original_handle, _original_sanic_levels
    import rasa.utils.common
    import rasa.utils.io
    from rasa.core.agent import Agent

    logging.getLogger("bot").setLevel(logs.log_level(os.environ))
    if logs.log_format(os.environ) == "json":
        rasa.utils.io.configure_colored_logging = _configure_logging
        _sanic_to_root()
        if _original_sanic_levels is None:
            _original_sanic_levels = rasa.utils.common.update_sanic_log_level
        rasa.utils.common.update_sanic_log_level = _sanic_levels
    if _original_handle is None:
        _original_handle = Agent.handle_message
    Agent.handle_message = _handle_message
