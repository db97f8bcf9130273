"""One logging set-up for every process: ``LOG_FORMAT=text`` (the default) or ``json``, one object a line.

A JSON line has ``time``, ``level``, ``logger``, ``message``, and ``conversation_id`` where the
code handling a message has said whose it is (``conversation``: a contextvar, so it follows the
message's task through every ``await`` and is gone when the task ends). Never log customer text
at INFO: a message's text belongs at DEBUG, and the conversation id says whose it was.

The standard library's ``logging`` only, no third-party formatter: the Rasa server runs this on
Python 3.10 in its own environment, and a dozen lines here do what python-json-logger would.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from datetime import datetime, timezone

from bot.core import settings as env

FORMATS = ("text", "json")
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Sanic's access log says what it served in these extra fields of the record (its message is empty)
ACCESS_FIELDS = ("host", "request", "status", "byte")

_conversation: ContextVar[str | None] = ContextVar("conversation_id", default=None)


def log_format(environ: Mapping[str, str]) -> str:
    """``LOG_FORMAT``, checked: a bad value stops the process at start and names the variable."""
    return env.choice(environ, "LOG_FORMAT", "text", FORMATS)


def log_level(environ: Mapping[str, str]) -> str:
    return env.choice(environ, "LOG_LEVEL", "INFO", LEVELS)


@contextlib.contextmanager
def conversation(conversation_id: str | None) -> Iterator[None]:
    """Log lines written inside carry ``conversation_id``."""
    token = _conversation.set(conversation_id or None)
    try:
        yield
    finally:
        _conversation.reset(token)


def set_conversation(conversation_id: str | None) -> None:
    """For the rest of the current task (a request's handler): lines carry ``conversation_id``."""
    _conversation.set(conversation_id or None)


def current_conversation() -> str | None:
    return _conversation.get()


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        conversation_id = _conversation.get()
        if conversation_id:
            line["conversation_id"] = conversation_id
        line.update({f: getattr(record, f) for f in ACCESS_FIELDS if hasattr(record, f)})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def formatter(fmt: str) -> logging.Formatter:
    return JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT)


def configure(fmt: str, level: str) -> None:
    """The root logger writes to stderr in ``fmt``; loggers with handlers of their own (Sanic's)
    hand their lines to it instead, so every line of the process has one format."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(fmt))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    if fmt == "json":
        logging.captureWarnings(True)  # a library's warning becomes a JSON line too, not bare text
        for name in list(logging.root.manager.loggerDict):
            logger = logging.getLogger(name)
            if logger.handlers:
                for old in list(logger.handlers):
                    logger.removeHandler(old)
                logger.propagate = True


def configure_from_env(environ: Mapping[str, str]) -> None:
    """``LOG_FORMAT`` and ``LOG_LEVEL`` read and applied (a ``SettingsError`` names a bad one)."""
    configure(log_format(environ), log_level(environ))
