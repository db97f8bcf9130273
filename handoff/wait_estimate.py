"""The expected wait a queued customer is told, from how long a reply has lately taken a
moderator and how many replies are owed before theirs: plain functions and the small Redis window
they read.

Each reply that ends a customer's wait is timed in its transaction (``record_reply``): from when
its moderator could start on it (their previous reply, the ticket reaching them, the customer's
message, whichever came last) to the reply, at most ``MAX_SERVICE_MINUTES`` (a moderator back from
a break). The mean over the last ``window`` minutes, blended with a prior of ``PRIOR_REPLIES``
replies of ``DEFAULT_MINUTES`` each so a quiet or fresh window neither promises a miracle nor
divides by zero, is one reply's time. The ticket at ``position`` waits for the replies owed before
it (customers already with a moderator and still owed one, and the ``position - 1`` queued ahead),
shared by the moderators available now (``handoff.presence``), and then for its own:
(ahead ÷ available + 1) × one reply's time. Nobody available: no number (the customer is told a
person answers when one is free). Idle time is no reply's time, so the night never inflates the
morning's estimates, and a burst of new tickets only lengthens the estimates of those behind it.

Why not the claim rate it replaced: with automatic assignment a ticket is claimed as soon as some
member has room, so claims counted arrivals rather than service, and the replies waiting on the
moderators' own lists went unseen (``make bench-team``, bench/results/team.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.core import keys
from bot.core import settings as env
from bot.core.text import as_str
from handoff.models import Ticket, TicketState
from handoff.presence import statuses

DEFAULT_MINUTES = 5.0  # one reply's time before any was measured
PRIOR_REPLIES = 2.0  # how much the default weighs against measured replies
MAX_SERVICE_MINUTES = 30.0  # a longer reply time is a break or a shift change, counted as this
WINDOW_MINUTES = 60  # the recent replies the pace is read from
MAX_WINDOW_MINUTES = 240
KEEP_SECONDS = MAX_WINDOW_MINUTES * 60  # replies older than any window leave the set as new ones come
STEP_MINUTES = 5  # from ROUND_FINER_BELOW on, estimates are told to the nearest 5 minutes
ROUND_FINER_BELOW = 10  # shorter ones to the nearest minute: "about 3 minutes" is worth saying


@dataclass(frozen=True)
class WaitSettings:
    window_minutes: int = WINDOW_MINUTES

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> WaitSettings:
        return cls(env.whole_number(environ, "HANDOFF_WAIT_WINDOW_MINUTES", str(WINDOW_MINUTES), 10,
                                    MAX_WINDOW_MINUTES, "minutes"))


def service_seconds(ticket: Ticket, last_reply: float | None, now: float) -> float | None:
    """How long the reply being sent now took its moderator: from the last of their previous reply,
    the ticket reaching them and the customer's wait beginning; None when no customer was waiting
    (a second message in a row serves no wait)."""
    waited_since = ticket.created_at if ticket.first_response_at is None else ticket.waiting_since
    if waited_since is None:
        return None
    began = max(waited_since, ticket.claimed_at or waited_since, last_reply or waited_since)
    return min(max(0.0, now - began), MAX_SERVICE_MINUTES * 60)


def minutes_per_reply(seconds: Sequence[float]) -> float:
    """One reply's time lately, in minutes, from the measured ``seconds`` and the prior."""
    return (sum(seconds) / 60 + PRIOR_REPLIES * DEFAULT_MINUTES) / (len(seconds) + PRIOR_REPLIES)


def told_minutes(minutes: float) -> int:
    """An estimate as the customer hears it: whole minutes under ten, then steps of five."""
    if minutes < ROUND_FINER_BELOW:
        return max(1, int(minutes + 0.5))
    return max(ROUND_FINER_BELOW, STEP_MINUTES * int(minutes / STEP_MINUTES + 0.5))


def expected_wait_minutes(ahead: int, available: int, per_reply: float) -> int | None:
    """Minutes until a person answers a customer with ``ahead`` replies owed before theirs; None
    when nobody is available to answer."""
    if available < 1 or per_reply <= 0:
        return None
    return told_minutes((ahead / available + 1) * per_reply)


def owed_replies(tickets: Iterable[Ticket]) -> int:
    """Customers with a moderator still owed a reply (a first one, or one to a later message);
    a pending ticket's customer was told when to expect it (``handoff.pending``)."""
    return sum(t.state == TicketState.ASSIGNED and t.pending_until is None
               and (t.first_response_at is None or t.waiting_since is not None) for t in tickets)


def record_reply(pipe: Any, ticket_id: str, login: str, now: float, seconds: float | None) -> None:
    """In the reply's transaction: the moderator's last reply, and its time joins the window."""
    pipe.hset(keys.LAST_REPLY, login, repr(now))
    if seconds is not None:
        pipe.zadd(keys.RECENT_REPLIES, {f"{ticket_id}:{now!r}:{seconds:.1f}": now})
    pipe.zremrangebyscore(keys.RECENT_REPLIES, "-inf", now - KEEP_SECONDS)


async def last_reply(redis: Any, login: str) -> float | None:
    raw = await redis.hget(keys.LAST_REPLY, login)
    return float(raw) if raw else None


async def recent_reply_seconds(redis: Any, now: float, window_minutes: int) -> list[float]:
    raw = await redis.zrangebyscore(keys.RECENT_REPLIES, now - window_minutes * 60, now)
    return [float(as_str(member).rsplit(":", 1)[1]) for member in raw]


async def available_count(redis: Any, now: float, presence_seconds: int) -> int:
    """Moderators whose console was seen lately and who chose to take tickets."""
    seen = [as_str(m) for m in await redis.zrangebyscore(keys.ONLINE, now - presence_seconds, "+inf")]
    return sum(s == "available" for s in (await statuses(redis, seen, now, presence_seconds)).values())
