"""Service reports over a window of days: percentiles of first-response and resolution times, SLA
breaches, per team, channel and day. Plain functions over tickets, no I/O (``handoff.stats_report``
reads the tickets and serves them)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from handoff.models import Ticket
from handoff.sla import RESOLUTION_MINUTES, Targets, open_reply_breach, resolution_breached

WINDOW_DAYS = {"today": 0, "7d": 7, "30d": 30}  # the windows a report may cover ("today": since local midnight)
PERCENTILES = (50, 90, 95)


def percentile(values: list[float], p: float) -> float | None:
    """The nearest-rank ``p``-th percentile (the smallest value with at least p% of values at or below it)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(p / 100 * len(ordered)), 1) - 1]


def percentiles(values: list[float]) -> dict[str, float | None]:
    return {f"p{p}": percentile(values, p) for p in PERCENTILES}


def window_start(window: str, now: float, zone: ZoneInfo) -> float:
    """When a window begins; ValueError naming ``window`` when it is not one of ``WINDOW_DAYS``."""
    if window not in WINDOW_DAYS:
        raise ValueError(f"window must be one of {', '.join(WINDOW_DAYS)}")
    midnight = datetime.fromtimestamp(now, zone).replace(hour=0, minute=0, second=0, microsecond=0)
    return (midnight - timedelta(days=max(WINDOW_DAYS[window] - 1, 0))).timestamp()


def day_of(at: float, zone: ZoneInfo) -> str:
    return datetime.fromtimestamp(at, zone).date().isoformat()


def first_response_seconds(t: Ticket) -> float | None:
    return None if t.first_response_at is None else t.first_response_at - t.created_at


def resolution_seconds(t: Ticket) -> float | None:
    return None if t.resolved_at is None else t.resolved_at - t.created_at


def sla_breached(t: Ticket, sla_seconds: float, now: float) -> bool:
    """No first reply within the target: a late reply, or none yet (or closed without one) past it."""
    answered_or_now = t.first_response_at or t.resolved_at or now
    return answered_or_now - t.created_at > sla_seconds


@dataclass(frozen=True)
class ReportRules:
    sla_seconds: float
    zone: ZoneInfo
    now: float
    targets: Callable[[Ticket], Targets] | None = None  # a ticket's targets (handoff.team_sla); None: defaults

    def targets_of(self, t: Ticket) -> Targets:
        minutes = round(self.sla_seconds / 60)
        return self.targets(t) if self.targets else Targets(minutes, minutes, RESOLUTION_MINUTES)


def reply_breaches(t: Ticket, rules: ReportRules) -> int:
    """Later replies that came late, and the one still owed if it is already past its target."""
    return t.reply_breaches + int(open_reply_breach(t, rules.targets_of(t), rules.now))


def summary(tickets: list[Ticket], rules: ReportRules) -> dict[str, Any]:
    first = [s for s in map(first_response_seconds, tickets) if s is not None]
    resolution = [s for s in map(resolution_seconds, tickets) if s is not None]
    return {"tickets": len(tickets), "first_response_seconds": percentiles(first),
            "resolution_seconds": percentiles(resolution),
            "sla_breaches": sum(1 for t in tickets if sla_breached(t, rules.targets_of(t).first_minutes * 60.0,
                                                                  rules.now)),
            "reply_breaches": sum(reply_breaches(t, rules) for t in tickets),
            "resolution_breaches": sum(1 for t in tickets if resolution_breached(t, rules.targets_of(t), rules.now))}


def grouped(tickets: Iterable[Ticket], key: Callable[[Ticket], str], rules: ReportRules) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[Ticket]] = {}
    for t in tickets:
        groups.setdefault(key(t), []).append(t)
    return {name: summary(groups[name], rules) for name in sorted(groups)}


def team_of(t: Ticket) -> str:
    return str(getattr(t, "team", "") or "")  # the ticket's team (issue 16 part A), "" when none


def report(tickets: list[Ticket], rules: ReportRules, since: float) -> dict[str, Any]:
    """The window's totals and the same per channel, per team (when any ticket has one) and per day."""
    chosen = [t for t in tickets if t.created_at >= since]
    out = {"total": summary(chosen, rules), "per_channel": grouped(chosen, lambda t: t.channel, rules),
           "per_day": per_day(chosen, rules, since)}
    if any(team_of(t) for t in chosen):
        out["per_team"] = grouped(chosen, team_of, rules)
    return out


def per_day(tickets: list[Ticket], rules: ReportRules, since: float) -> list[dict[str, Any]]:
    """Every day of the window, oldest first, also the days without tickets (a chart's x axis)."""
    by_day = grouped(tickets, lambda t: day_of(t.created_at, rules.zone), rules)
    days, day = [], datetime.fromtimestamp(since, rules.zone).date()
    last = datetime.fromtimestamp(rules.now, rules.zone).date()
    while day <= last:
        name = day.isoformat()
        days.append({"day": name, **by_day.get(name, summary([], rules))})
        day += timedelta(days=1)
    return days
