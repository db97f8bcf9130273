"""Pending: the owner promised the customer to come back by a time (issue 16, part C).

A pending ticket stays ASSIGNED with ``pending_until`` set, and its id waits in ``keys.PENDING``
(score: the promised time). When the time comes (``handoff.pending_loop``) the ticket is "due":
its id joins ``keys.DUE`` and the queue page shows it first; its owner's reply, "resume", a new
claim or closing it clears both. These are the plain decisions and the pipeline steps; the
store's verbs are ``handoff.pending_store``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from bot.core import keys
from bot.core import settings as env
from handoff.messages import line
from handoff.models import Ticket

DEFAULT_MAX_DAYS = 14  # HANDOFF_MAX_PENDING_DAYS: the furthest a promise may reach
FIELD = "pending_until"
PL_WEEKDAYS_GENITIVE = ("poniedziałku", "wtorku", "środy", "czwartku", "piątku", "soboty", "niedzieli")
EN_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEK_DAYS = 6  # further than this a promise names the date, not the weekday


@dataclass(frozen=True)
class PendingLimits:
    max_days: int = DEFAULT_MAX_DAYS

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> PendingLimits:
        return cls(env.whole_number(environ, "HANDOFF_MAX_PENDING_DAYS", str(DEFAULT_MAX_DAYS), 1, 365, "days"))


def parse_until(value: Any, now: float, max_days: int) -> float:
    """The promised time from a request (Unix seconds); ValueError naming the field."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{FIELD} must be a number (Unix time in seconds)")
    if value <= now:
        raise ValueError(f"{FIELD} must be in the future")
    if value > now + max_days * 86400:
        raise ValueError(f"{FIELD} must be at most {max_days} days ahead (HANDOFF_MAX_PENDING_DAYS)")
    return float(value)


def promised_time(until: float, now: float, zone: ZoneInfo, lang: str) -> str:
    """The promise as the customer reads it, in the brand's time zone: "15:00" today, "jutra 10:00",
    "poniedziałku 10:00" within a week, "21.12 10:00" further (English: "tomorrow 10:00", "Monday 10:00")."""
    at = datetime.fromtimestamp(until, tz=timezone.utc).astimezone(zone)
    today = datetime.fromtimestamp(now, tz=timezone.utc).astimezone(zone).date()
    days, clock = (at.date() - today).days, at.strftime("%H:%M")
    english = lang == "en"
    if days <= 0:
        return clock
    if days == 1:
        return f"{'tomorrow' if english else 'jutra'} {clock}"
    if days <= WEEK_DAYS:
        return f"{(EN_WEEKDAYS if english else PL_WEEKDAYS_GENITIVE)[at.weekday()]} {clock}"
    return f"{at.day} {at.strftime('%B')} {clock}" if english else f"{at.day}.{at.month:02d} {clock}"


def default_message(until: float, now: float, zone: ZoneInfo, lang: str, register: str) -> str:
    return line("pending", lang, register, time=promised_time(until, now, zone, lang))


def is_due(ticket: Ticket, now: float) -> bool:
    return ticket.pending_until is not None and ticket.pending_until <= now


def mark_pending(pipe: Any, ticket: Ticket, until: float, message: str) -> None:
    """In the ticket's transaction: pending until ``until``; no longer due."""
    ticket.pending_until, ticket.pending_message = until, message
    pipe.zadd(keys.PENDING, {ticket.id: until})
    pipe.srem(keys.DUE, ticket.id)


def clear_pending(pipe: Any, ticket: Ticket) -> None:
    """In the ticket's transaction: neither pending nor due (a reply, resume, a claim, closing)."""
    ticket.pending_until, ticket.pending_message = None, ""
    pipe.zrem(keys.PENDING, ticket.id)
    pipe.srem(keys.DUE, ticket.id)


async def due_ids(redis: Any) -> set[str]:
    return {str(i) for i in await redis.smembers(keys.DUE)}


async def with_due(redis: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ticket summaries with their ``due`` flag (the queue page puts due tickets first)."""
    due = await due_ids(redis)
    return [{**row, "due": row["id"] in due} for row in rows]
