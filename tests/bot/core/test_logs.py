"""bot/core/logs.py: LOG_FORMAT=json lines, the conversation id from the context, and a bad value
stopping each process at start with the variable named (the running stack's JSON lines are checked
in tests/integration/test_observability.py)."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import subprocess
from collections.abc import Iterator

import pytest

from bot.core import logs
from bot.core.settings import SettingsError
from ops.processes import REPO


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """The root logger configured for JSON into a buffer; the test run's own handlers put back after."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    logs.configure("json", "INFO")
    buffer = io.StringIO()
    root.handlers[0].setStream(buffer)  # type: ignore[attr-defined]
    yield buffer
    logging.captureWarnings(False)
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


def lines(buffer: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_a_line_is_one_json_object_with_level_logger_and_message(captured: io.StringIO) -> None:
    log = logging.getLogger("tests.logs")
    log.info("ticket %s opened", "t-1")
    try:
        raise ValueError("boom")
    except ValueError:
        log.exception("it failed")
    first, second = lines(captured)
    assert {k: first[k] for k in ("level", "logger", "message")} == {
        "level": "INFO", "logger": "tests.logs", "message": "ticket t-1 opened"}
    assert "conversation_id" not in first and str(first["time"]).endswith("+00:00")
    assert second["level"] == "ERROR" and "ValueError: boom" in str(second["exception"])


async def test_the_conversation_id_follows_its_task_and_no_other(captured: io.StringIO) -> None:
    log = logging.getLogger("tests.logs")

    async def handle(conversation_id: str) -> None:
        logs.set_conversation(conversation_id)
        await asyncio.sleep(0)  # the other task runs meanwhile
        log.info("handled")

    await asyncio.gather(asyncio.create_task(handle("web:a")), asyncio.create_task(handle("web:b")))
    with logs.conversation("rest-c"):
        log.warning("inside")
    log.info("outside")
    found = [(line["message"], line.get("conversation_id")) for line in lines(captured)]
    assert found == [("handled", "web:a"), ("handled", "web:b"), ("inside", "rest-c"), ("outside", None)]


def test_a_bad_format_names_the_variable() -> None:
    assert logs.log_format({}) == "text" and logs.log_format({"LOG_FORMAT": "json"}) == "json"
    with pytest.raises(SettingsError, match="LOG_FORMAT must be one of text, json, got 'xml'"):
        logs.log_format({"LOG_FORMAT": "xml"})


@pytest.mark.parametrize("argv", [[".venv/bin/python", "-m", "handoff"], [".venv/bin/python", "-m", "actions"],
                                  [".venv-rasa/bin/python", "-m", "bot.rasa_side", "run"]])
def test_every_process_refuses_to_start_with_a_bad_format(argv: list[str]) -> None:
    """The Rasa server's check runs on its Python 3.10: bot.core.logs needs nothing newer."""
    env = {**os.environ, "LOG_FORMAT": "xml", "HANDOFF_SERVICE_TOKEN": "t" * 20, "RASA_TOKEN": "r" * 20}
    done = subprocess.run([str(REPO / argv[0]), *argv[1:]], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode != 0
    assert "LOG_FORMAT must be one of text, json, got 'xml'" in done.stderr, done.stderr[-2000:]

