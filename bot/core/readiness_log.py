"""What ``GET /ready`` answers, in the log when it changes (the handoff service and Rasa).

HAProxy asks each second and a systemd unit while it starts: a warning per check would bury the
journal while Redis is away. So the reasons are logged when they change, and "ready again"
once they are gone.
"""

from __future__ import annotations

import logging


class ReadinessLog:
    """One per ``/ready`` route: remembers the reasons it last logged."""

    def __init__(self, logger: logging.Logger) -> None:
        self._logger = logger
        self._last: tuple[str, ...] = ()

    def report(self, reasons: list[str], cause: BaseException | None = None) -> None:
        """Log ``reasons`` (``cause``: the error behind the first) if they are not what was last logged."""
        now = tuple(reasons)
        if now == self._last:
            return
        if now:
            self._logger.warning("not ready: %s%s", "; ".join(now), f" ({cause!r})" if cause else "")
        else:
            self._logger.info("ready again")
        self._last = now
