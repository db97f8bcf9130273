"""Who gets into the human queue, and how far up: plain decisions, no I/O.

A ticket is "real" when the customer had a real exchange with the bot before asking for a
person (the bot answered and they wrote again, counted by the action server). A cold ticket
(a first message such as "I'll sue you, I want a human") costs a script nothing, so:

- it gets no priority lift: it is ranked by its creation time, after every older ticket, and a
  flood of them is appended behind the real customers already waiting, never in front of them;
- over the new-ticket rate it is held back in the overflow (shown after the whole queue and
  moved into it as the rate allows), never refused: the customer still gets a person;
- one client address may have only so many open tickets; over that the request is refused
  (429) and the customer is told so, with the contact details.

A public ticket (a comment under the page's posts, channel ``comment``) is served before every
private one, because everyone sees the thread; public tickets among themselves by time.

Waiting raises a ticket as surely as a reason does: the score is the creation time, so each minute
waited is a minute of lift, and no lift exceeds ``MAX_LIFT_MINUTES``. A private ticket that has
waited that long is therefore never overtaken by a newer private one, however urgent and however
many keep coming (``queue_score``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from bot.core import settings as env
from handoff.models import priority_minutes

# A small team (a handful of moderators) serves a few dozen tickets an hour. 30 new tickets a
# minute is far above any real peak of the shop's chat, so real customers never meet it, and
# low enough that a flood adds at most 30 cold tickets a minute to the live queue.
DEFAULT_NEW_PER_MINUTE = 30
# One person has one or two conversations open; 3 leaves room for a household or an office
# behind one address, while a script on one address cannot fill the queue.
DEFAULT_MAX_OPEN_PER_CLIENT = 3
MAX_OPEN_PER_CONVERSATION = 1  # a conversation has one owner: create returns the open ticket (atomic, WATCH)
MAX_EXCHANGES = 10_000  # a bigger count is no conversation the tracker window can hold
MAX_CLIENT_IP_CHARS = 45  # the longest text form of an IPv6 address (with an IPv4 tail)
PUBLIC_CHANNELS = frozenset({"comment"})  # conversations everyone can read
# The most a reason moves a ticket up (the strongest reason's minutes, ``handoff.models``): the longest a
# waiting customer can be overtaken by newer urgent tickets.
MAX_LIFT_MINUTES = 45
# A public ticket's score is its creation time moved back this far: more than any reason's lift and
# any age a waiting ticket reaches, so every public ticket ranks before every private one, and
# public ones keep their order of creation among themselves.
PUBLIC_HEAD_START_SECONDS = 10 * 365 * 24 * 3600


class Lane(str, Enum):
    QUEUE = "queue"  # the live queue, served in order
    OVERFLOW = "overflow"  # held back: after the whole queue, moved into it as the rate allows


@dataclass(frozen=True)
class TicketCaps:
    new_per_minute: int = DEFAULT_NEW_PER_MINUTE  # tickets joining the queue a minute (cold ones held over it)
    max_open_per_client: int = DEFAULT_MAX_OPEN_PER_CLIENT  # open tickets from one client address

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> TicketCaps:
        return cls(
            new_per_minute=env.whole_number(environ, "HANDOFF_NEW_TICKETS_PER_MINUTE",
                                            str(DEFAULT_NEW_PER_MINUTE), 1, 100_000, "tickets"),
            max_open_per_client=env.whole_number(environ, "HANDOFF_MAX_OPEN_TICKETS_PER_IP",
                                                 str(DEFAULT_MAX_OPEN_PER_CLIENT), 1, 100_000, "tickets"),
        )


def is_public(channel: str) -> bool:
    return channel in PUBLIC_CHANNELS


def is_real(exchanges: int, public: bool = False) -> bool:
    """The bot answered and the customer wrote again at least once; or the ticket is a comment.

    A comment counts as real although it is a first message: it reaches us only in a webhook Meta
    signed with our app secret (a script cannot make one up), from a Facebook account, written in
    public under the brand's own post where everyone sees who wrote it, and each commenter is
    rate-limited like a Messenger customer. That costs a flood what a real exchange costs it."""
    return public or exchanges >= 1


def lift_minutes(reasons: list[str], exchanges: int, public: bool = False) -> int:
    """How far up the queue the reasons move a ticket: only after a real exchange."""
    return min(priority_minutes(reasons), MAX_LIFT_MINUTES) if is_real(exchanges, public) else 0


def queue_score(created_at: float, reasons: list[str], exchanges: int, public: bool = False) -> float:
    """Lower is served first: creation time, moved earlier by the lift; a public ticket before
    every private one (and among public ones, by creation time)."""
    if public:
        return created_at - PUBLIC_HEAD_START_SECONDS
    return created_at - 60 * lift_minutes(reasons, exchanges)


def lane(exchanges: int, joined_this_minute: int, caps: TicketCaps, public: bool = False) -> Lane:
    """``joined_this_minute`` counts this ticket too (the counter's value after adding it)."""
    if is_real(exchanges, public) or joined_this_minute <= caps.new_per_minute:
        return Lane.QUEUE
    return Lane.OVERFLOW


def parse_client_ip(value: object) -> str:
    """``client_ip`` as the action server sends it: an IP address or empty; ValueError naming it."""
    if value is None or value == "":
        return ""
    if not isinstance(value, str) or len(value) > MAX_CLIENT_IP_CHARS:
        raise ValueError(f"client_ip must be an IP address (at most {MAX_CLIENT_IP_CHARS} characters) or empty")
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise ValueError("client_ip must be an IP address or empty") from None


def parse_exchanges(value: object) -> int:
    """``exchanges``: a whole number 0-MAX_EXCHANGES (missing: 0, a cold ticket); ValueError naming it."""
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_EXCHANGES:
        raise ValueError(f"exchanges must be a whole number from 0 to {MAX_EXCHANGES}")
    return value
