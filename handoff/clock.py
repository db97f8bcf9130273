"""The time of tickets and of the team's work: the wall clock, or a weekend compressed for
``make bench-team``.

In production ``now()`` is ``time.time()``. ``HANDOFF_TIME_SCALE`` (default 1) makes ticket time
run that many times faster than the wall from the real instant ``HANDOFF_TIME_ORIGIN`` (epoch
seconds), when it reads ``HANDOFF_TIME_START`` (epoch seconds; default the origin): a bench plays
a Friday-to-Sunday in minutes through the real service, and every replica given the same three
values tells the same time. Background loops wait real seconds divided by the scale
(``real_seconds``), so a ten-minute timeout is still looked at within simulated minutes.

What follows the clock is the tickets' life and everything measured on it: creation, claims,
replies, waits, SLA clocks, presence, the recent service rate, pending and consult times, ratings,
crises, reports. Sign-in sessions and throttles, Redis key expiries, jobs, the archive and
retention, and Meta's messaging windows (Messenger's own timestamps) stay on the wall clock.

Module state, set once by the app factory (``configure``), rather than a clock object passed to
each verb: dozens of store verbs take ``now=None`` and default it here; threading an object
through every signature and test for a benchmark's sake would change them all and gain nothing
in production, where the scale is 1.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass

from bot.core.settings import SettingsError

MAX_SCALE = 10_000.0
MIN_LOOP_SECONDS = 0.2  # a scaled loop still waits this long between looks: the real service's pace


@dataclass(frozen=True)
class Clock:
    scale: float = 1.0
    origin: float = 0.0  # the real instant (epoch seconds) at which ticket time reads ``start``
    start: float = 0.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Clock:
        scale = _number(environ, "HANDOFF_TIME_SCALE", "1")
        if not 1 <= scale <= MAX_SCALE:
            raise SettingsError(f"HANDOFF_TIME_SCALE must be from 1 to {MAX_SCALE:g}, got {scale:g}")
        if scale == 1 and "HANDOFF_TIME_ORIGIN" not in environ:
            return cls()
        origin = _number(environ, "HANDOFF_TIME_ORIGIN", "")
        return cls(scale, origin, _number(environ, "HANDOFF_TIME_START", repr(origin)))

    def at(self, wall: float) -> float:
        """Ticket time at the wall-clock instant ``wall``."""
        if self.scale == 1 and self.start == self.origin:
            return wall
        return self.start + (wall - self.origin) * self.scale

    def real_seconds(self, seconds: float) -> float:
        """How long a loop that looks every ``seconds`` of ticket time waits on the wall."""
        return seconds if self.scale == 1 else max(min(seconds, MIN_LOOP_SECONDS), seconds / self.scale)


def _number(environ: Mapping[str, str], name: str, default: str) -> float:
    raw = environ.get(name, default)
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from None
    if not math.isfinite(value):
        raise SettingsError(f"{name} must be a finite number, got {raw!r}")
    return value


_clock = Clock()


def configure(clock: Clock) -> None:
    """The process's ticket clock (``handoff.app.create_app``)."""
    global _clock
    _clock = clock


def current() -> Clock:
    return _clock


def now() -> float:
    """Ticket time now (epoch seconds)."""
    return _clock.at(time.time())


def at(wall: float) -> float:
    """Ticket time of a wall-clock timestamp, such as a Rasa event's."""
    return _clock.at(wall)


def real_seconds(seconds: float) -> float:
    return _clock.real_seconds(seconds)
