"""``ReadinessLog``: /ready's reasons in the log when they change, not at every check."""

from __future__ import annotations

import logging

import pytest

from bot.core.readiness_log import ReadinessLog

LOGGER = "tests.readiness"


def said(caplog: pytest.LogCaptureFixture) -> list[tuple[str, str]]:
    return [(r.levelname, r.getMessage()) for r in caplog.records if r.name == LOGGER]


def test_each_change_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    log = ReadinessLog(logging.getLogger(LOGGER))
    with caplog.at_level(logging.INFO, logger=LOGGER):
        log.report([])  # ready from the start: nothing to say
        for _ in range(3):
            log.report(["redis unreachable"], ConnectionError("refused"))
        log.report(["redis unreachable", "loops stopped: feed"])
        log.report(["redis unreachable", "loops stopped: feed"])
        log.report([])
        log.report([])
    assert said(caplog) == [
        ("WARNING", "not ready: redis unreachable (ConnectionError('refused'))"),
        ("WARNING", "not ready: redis unreachable; loops stopped: feed"),
        ("INFO", "ready again"),
    ]
