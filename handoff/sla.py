"""SLA targets and clocks: how long a customer may wait for a person, per team, channel and default.

Three targets: the first reply (from the handoff), every later reply (from the oldest customer message
after the last person's reply: the ticket's ``waiting_since``) and the resolution (from the handoff).
A team's own target wins, then the channel's (first and later replies), then the default. Plain
functions; the one Redis write is ``mark_waiting``, called by the event feed (``handoff.feed``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.core import keys
from bot.core import settings as env
from bot.core.settings import SettingsError
from handoff.models import Ticket, TicketState

MIN_MINUTES, MAX_MINUTES = 1, 7 * 24 * 60  # a target in whole minutes: a minute to a week
RESOLUTION_MINUTES = 24 * 60
CHANNELS = ("webchat", "messenger", "comment")
TEAM_FIELDS = ("sla_minutes", "reply_sla_minutes", "resolution_sla_minutes")  # optional fields of a team


@dataclass(frozen=True)
class Targets:
    first_minutes: int
    reply_minutes: int
    resolution_minutes: int


@dataclass(frozen=True)
class SlaTargets:
    """The defaults from the environment and the channels' own first/later reply targets."""

    first_minutes: int = 30
    reply_minutes: int = 30
    resolution_minutes: int = RESOLUTION_MINUTES
    by_channel: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> SlaTargets:
        first = env.whole_number(environ, "HANDOFF_SLA_MINUTES", "30", MIN_MINUTES, 24 * 60, "minutes")
        return cls(first, env.whole_number(environ, "HANDOFF_REPLY_SLA_MINUTES", str(first), MIN_MINUTES,
                                           MAX_MINUTES, "minutes"),
                   env.whole_number(environ, "HANDOFF_RESOLUTION_SLA_MINUTES", str(RESOLUTION_MINUTES),
                                    MIN_MINUTES, MAX_MINUTES, "minutes"),
                   parse_by_channel(environ.get("HANDOFF_SLA_MINUTES_BY_CHANNEL", "")))


def parse_by_channel(text: str, name: str = "HANDOFF_SLA_MINUTES_BY_CHANNEL") -> dict[str, int]:
    """``comment=15,messenger=30``; SettingsError naming the variable on anything else."""
    out: dict[str, int] = {}
    for item in (i.strip() for i in text.split(",") if i.strip()):
        channel, _, minutes = item.partition("=")
        if channel.strip() not in CHANNELS:
            raise SettingsError(f"{name}: {channel.strip()!r} is not one of {', '.join(CHANNELS)}")
        if not minutes.strip().isdigit() or not MIN_MINUTES <= int(minutes) <= MAX_MINUTES:
            raise SettingsError(f"{name}: {channel.strip()} needs whole minutes {MIN_MINUTES}-{MAX_MINUTES}")
        out[channel.strip()] = int(minutes)
    return out


def check_minutes(value: object, name: str) -> int | None:
    """A team's optional target: None (use the channel's or the default) or whole minutes; ValueError naming it."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not MIN_MINUTES <= value <= MAX_MINUTES:
        raise ValueError(f"{name} must be whole minutes {MIN_MINUTES}-{MAX_MINUTES} or null")
    return value


def targets_for(defaults: SlaTargets, team: Mapping[str, Any] | None, channel: str) -> Targets:
    """Precedence: the team's target, then the channel's (first and later replies), then the default."""
    team = team or {}
    by_channel = defaults.by_channel.get(channel)
    return Targets(team.get("sla_minutes") or by_channel or defaults.first_minutes,
                   team.get("reply_sla_minutes") or by_channel or defaults.reply_minutes,
                   team.get("resolution_sla_minutes") or defaults.resolution_minutes)


def waiting_since(t: Ticket) -> float | None:
    """Since when the customer waits for a person: the handoff until the first reply, then ``waiting_since``."""
    if t.state == TicketState.RESOLVED:
        return None
    return t.created_at if t.first_response_at is None else t.waiting_since


def current_minutes(t: Ticket, targets: Targets) -> int:
    """The target the ticket's clock runs against now: the first reply's, else a later reply's."""
    return targets.first_minutes if t.first_response_at is None else targets.reply_minutes


def late(since: float | None, at: float, minutes: int) -> bool:
    """A wait that began at ``since`` is past its target at ``at`` (no wait: never)."""
    return since is not None and at - since > minutes * 60


def open_reply_breach(t: Ticket, targets: Targets, now: float) -> bool:
    """A later reply still owed and already past its target."""
    return t.first_response_at is not None and late(waiting_since(t), now, targets.reply_minutes)


def resolution_breached(t: Ticket, targets: Targets, now: float) -> bool:
    return late(t.created_at, t.resolved_at or now, targets.resolution_minutes)


def clock(t: Ticket, targets: Targets, now: float) -> dict[str, Any]:
    """What the API adds to a ticket: the running target, the wait's start, whether it is past."""
    since, minutes = waiting_since(t), current_minutes(t, targets)
    return {"sla_minutes": minutes, "waiting_since": since, "waiting_breached": late(since, now, minutes),
            "resolution_sla_minutes": targets.resolution_minutes}


# Set ``waiting_since`` once per spell: only on an open ticket a person has answered and only if unset,
# so a reply (which clears it in its transaction, handoff.tickets) starts the next spell.
MARK_WAITING = """
local state = redis.call('HGET', KEYS[1], 'state')
if not state or state == 'resolved' then return 0 end
if (redis.call('HGET', KEYS[1], 'first_response_at') or '') == '' then return 0 end
if (redis.call('HGET', KEYS[1], 'waiting_since') or '') ~= '' then return 0 end
redis.call('HSET', KEYS[1], 'waiting_since', ARGV[1])
return 1
"""


async def mark_waiting(client: Any, ticket_id: str, at: float) -> bool:
    """A customer message of the ticket's conversation at ``at``: True when it began a waiting spell."""
    return bool(await client.eval(MARK_WAITING, 1, keys.ticket(ticket_id), repr(at)))
