"""Who gets a waiting ticket: plain decisions about teams, loads and capacities, no I/O.

The assigner (``handoff.assigner``) reads the facts from Redis and applies these choices.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from bot.core import settings as env

DEFAULT_CAPACITY = 5  # automatic tickets a moderator holds at once, unless an admin set theirs
MAX_CAPACITY = 100
ASSIGNEE_TIMEOUT_MINUTES = 10  # an automatic ticket with no first reply this long goes back to its team
PRESENCE_SECONDS = 90  # a console not seen this long: its moderator is away (it pings every 30 s)


@dataclass(frozen=True)
class AssignmentLimits:
    default_capacity: int = DEFAULT_CAPACITY
    assignee_timeout_seconds: int = ASSIGNEE_TIMEOUT_MINUTES * 60
    presence_seconds: int = PRESENCE_SECONDS

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> AssignmentLimits:
        return cls(
            default_capacity=env.whole_number(environ, "HANDOFF_DEFAULT_CAPACITY", str(DEFAULT_CAPACITY), 0,
                                              MAX_CAPACITY, "tickets"),
            assignee_timeout_seconds=60 * env.whole_number(environ, "HANDOFF_ASSIGNEE_TIMEOUT_MINUTES",
                                                           str(ASSIGNEE_TIMEOUT_MINUTES), 1, 24 * 60, "minutes"),
            presence_seconds=env.whole_number(environ, "HANDOFF_PRESENCE_SECONDS", str(PRESENCE_SECONDS), 30,
                                              3600, "seconds"),
        )


@dataclass(frozen=True)
class Member:
    """A team member as the assigner sees them at one moment."""

    login: str
    available: bool
    load: int  # open tickets they own now
    capacity: int
    last_assigned: float = 0.0  # time of their last automatic assignment; 0: never


def choose(members: Collection[Member], passed_over: Collection[str] = ()) -> str | None:
    """The least-loaded available member with room under their capacity; ties go to the one who
    waited longest since their last assignment, then by login (a stable order). Members the ticket
    was already taken back from come only when nobody else has room. None: it stays queued."""
    room = [m for m in members if m.available and m.load < m.capacity]
    fresh = [m for m in room if m.login not in passed_over]
    pool = fresh or room
    if not pool:
        return None
    return min(pool, key=lambda m: (m.load, m.last_assigned, m.login)).login


def timed_out(assigned_at: float, answered: bool, now: float, timeout_seconds: int) -> bool:
    """An automatic assignment not answered within the timeout goes back to the team's queue."""
    return not answered and now - assigned_at >= timeout_seconds


def parse_capacity(value: object) -> int:
    """An admin's capacity for a moderator: a whole number 0..MAX_CAPACITY (0: no automatic tickets)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_CAPACITY:
        raise ValueError(f"capacity must be a whole number from 0 to {MAX_CAPACITY}")
    return value
