"""The expected wait a queued customer is told, from the recent service rate: plain functions
and the small Redis window they read.

Each claim is kept for a while in ``keys.RECENT_CLAIMS`` (ticket and moderator, scored by the
claim time). The rate one moderator serves at is the claims of the last ``window`` minutes over
the moderator-minutes behind them (the moderators who claimed, times the open minutes since the
window's first claim: neither the night nor a quiet spell with nothing to take is service time),
blended with a prior of ``PRIOR_CLAIMS`` claims at ``DEFAULT_MINUTES_PER_TICKET`` each, so a quiet
or fresh window neither promises a miracle nor divides by zero. The team's rate now is that times
the moderators available now (``handoff.presence``); the ticket at ``position`` waits about
``position`` claims at that rate. Nobody available: no number (the customer is told a person
answers when one is free). How long the waiting already waited does not enter (claims are counted,
not waits), so an overnight wait never inflates the next morning's estimates, and a burst of new
tickets only lengthens the estimates of those behind it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from typing import Any

from bot.core import keys
from bot.core import settings as env
from bot.core.text import as_str
from handoff.hours import OpeningHours
from handoff.presence import statuses

DEFAULT_MINUTES_PER_TICKET = 5.0  # one moderator's pace before any claim was measured
PRIOR_CLAIMS = 2.0  # how much the default pace weighs against measured claims
WINDOW_MINUTES = 60  # the recent service the rate is read from
MAX_WINDOW_MINUTES = 240
KEEP_SECONDS = MAX_WINDOW_MINUTES * 60  # claims older than any window leave the set as new ones come
STEP_MINUTES = 5  # estimates are told rounded up to this, so they change in steps, not every second
MIN_MINUTES = 5  # nobody is promised less: a person still reads the conversation first


@dataclass(frozen=True)
class WaitSettings:
    window_minutes: int = WINDOW_MINUTES

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> WaitSettings:
        return cls(env.whole_number(environ, "HANDOFF_WAIT_WINDOW_MINUTES", str(WINDOW_MINUTES), 10,
                                    MAX_WINDOW_MINUTES, "minutes"))


def open_minutes(hours: OpeningHours, start: float, end: float) -> float:
    """Minutes between ``start`` and ``end`` (epoch seconds) when people are at work."""
    total, at = 0.0, datetime.fromtimestamp(start, tz=timezone.utc)
    stop = datetime.fromtimestamp(end, tz=timezone.utc)
    while at < stop:
        local = at.astimezone(hours.zone)
        opens = datetime.combine(local.date(), hours.opens, tzinfo=hours.zone)
        closes = datetime.combine(local.date(), hours.closes, tzinfo=hours.zone)
        total += max(0.0, (min(closes, stop) - max(opens, at)).total_seconds())
        at = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=hours.zone)  # next local day
    return total / 60


def rate_per_moderator(claims: Sequence[tuple[float, str]], now: float, hours: OpeningHours,
                       window_minutes: int = WINDOW_MINUTES) -> float:
    """Tickets a minute one moderator took lately: ``claims`` are (time, login) in any order."""
    start = now - window_minutes * 60
    recent = [(at, login) for at, login in claims if start <= at <= now]
    since = min((at for at, _ in recent), default=now)  # a quiet start of the window is no service time
    moderator_minutes = len({login for _, login in recent}) * open_minutes(hours, since, now)
    return (len(recent) + PRIOR_CLAIMS) / (moderator_minutes + PRIOR_CLAIMS * DEFAULT_MINUTES_PER_TICKET)


def expected_wait_minutes(position: int, available: int, per_moderator: float) -> int | None:
    """Minutes until a person takes the ticket at ``position`` (1 = next), rounded up to a step;
    None when nobody is available to take it."""
    if available < 1 or per_moderator <= 0:
        return None
    minutes = position / (available * per_moderator)
    steps = math.ceil(round(minutes / STEP_MINUTES, 6))  # 55.000000001 minutes are 55, not 60
    return max(MIN_MINUTES, steps * STEP_MINUTES)


def record_claim(pipe: Any, ticket_id: str, login: str, now: float) -> None:
    """In the claim's transaction: the claim joins the window, the ones older than any window go."""
    pipe.zadd(keys.RECENT_CLAIMS, {f"{ticket_id}:{login}": now})
    pipe.zremrangebyscore(keys.RECENT_CLAIMS, "-inf", now - KEEP_SECONDS)


async def recent_claims(redis: Any, now: float, window_minutes: int) -> list[tuple[float, str]]:
    raw = await redis.zrangebyscore(keys.RECENT_CLAIMS, now - window_minutes * 60, now, withscores=True)
    return [(float(at), as_str(member).split(":", 1)[1]) for member, at in raw]


async def available_count(redis: Any, now: float, presence_seconds: int) -> int:
    """Moderators whose console was seen lately and who chose to take tickets."""
    seen = [as_str(m) for m in await redis.zrangebyscore(keys.ONLINE, now - presence_seconds, "+inf")]
    return sum(s == "available" for s in (await statuses(redis, seen, now, presence_seconds)).values())
