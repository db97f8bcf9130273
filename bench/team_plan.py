"""The weekend ``make bench-team`` plays: when customers write, who needs a person, who is on
duty, how long a moderator takes. Plain, seeded functions; nothing here talks to the stack.

The shape follows the field's case the README cites: BiggerB's moderators handled 2,386 contacts
in one weekend for Żak (about 50 an hour). Contacts arrive from Friday 18:00 to Sunday 18:00,
Warsaw time, following an hourly profile with a morning and an evening peak and quiet nights; a
third need a person. Moderators work three shifts a day (07-15 and 15-23 with ``day_staff`` people
each, 23-07 with half as many, rounded up), come ten minutes early, and hand their open tickets to
the next shift.
"""

from __future__ import annotations

import bisect
import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Europe/Warsaw")
START = datetime(2026, 3, 6, 18, 0, tzinfo=ZONE)  # a Friday evening
HOURS = 48
CONTACTS = 2386
PERSON_SHARE = 1 / 3
# Contacts an hour relative to each other, by local hour of the day: quiet nights, a morning
# rise, a lunchtime plateau and the evening peak when people are home.
PROFILE = (0.35, 0.2, 0.1, 0.08, 0.08, 0.1, 0.25, 0.5, 0.8, 1.0, 1.15, 1.2,
           1.15, 1.1, 1.05, 1.0, 1.05, 1.1, 1.25, 1.35, 1.35, 1.2, 0.9, 0.6)
SHIFTS = ((7, 15), (15, 23), (23, 31))  # local hours; the night shift ends at 07:00 the next day
EARLY_MINUTES = 10  # the next shift signs in this long before the change
# A moderator's time per reply (reading the conversation, writing), lognormal, in minutes.
FIRST_REPLY_MEDIAN, LATER_REPLY_MEDIAN, SPREAD = 2.5, 1.5, 0.5
MIN_THINK, MAX_THINK = 0.5, 12.0
RESOLVE_AFTER_MINUTES = 5.0  # answered and quiet this long: the moderator resolves
FOLLOW_UP_CHANCES = (0.5, 0.3)  # the customer writes again after the first, the second reply
FOLLOW_UP_DELAY = (1.0, 4.0)  # minutes after the moderator's reply


@dataclass(frozen=True)
class Contact:
    at: float  # simulated epoch seconds
    needs_person: bool
    follow_ups: int  # how many times the customer writes again after a moderator's reply
    follow_up_delays: tuple[float, ...]  # minutes, one per follow-up


@dataclass(frozen=True)
class Shift:
    login: str
    starts: float  # simulated epoch seconds, signed in (EARLY_MINUTES before the change)
    ends: float  # the change: open tickets go to the next shift


def hourly_weights(start: datetime = START, hours: int = HOURS) -> list[float]:
    return [PROFILE[(start + timedelta(hours=h)).hour] for h in range(hours)]


def arrival_times(rng: random.Random, count: int = CONTACTS, start: datetime = START,
                  hours: int = HOURS) -> list[float]:
    """``count`` arrival instants (epoch seconds, sorted) drawn from the hourly profile: each
    is the profile's inverse cumulative at a uniform draw, linear within the hour."""
    weights = hourly_weights(start, hours)
    cumulative = [0.0]
    for w in weights:
        cumulative.append(cumulative[-1] + w)
    total, base = cumulative[-1], start.timestamp()
    times = []
    for _ in range(count):
        u = rng.random() * total
        hour = min(bisect.bisect_right(cumulative, u) - 1, hours - 1)
        within = (u - cumulative[hour]) / weights[hour]
        times.append(base + (hour + within) * 3600)
    return sorted(times)


def contacts(rng: random.Random, count: int = CONTACTS, person_share: float = PERSON_SHARE) -> list[Contact]:
    """The weekend's contacts in time order; exactly ``round(count * person_share)`` need a person."""
    times = arrival_times(rng, count)
    needing = set(rng.sample(range(count), round(count * person_share)))
    out = []
    for i, at in enumerate(times):
        follow_ups = 0
        for chance in FOLLOW_UP_CHANCES:
            if rng.random() >= chance:
                break
            follow_ups += 1
        delays = tuple(rng.uniform(*FOLLOW_UP_DELAY) for _ in range(follow_ups))
        out.append(Contact(at, i in needing, follow_ups if i in needing else 0, delays if i in needing else ()))
    return out


def shifts(day_staff: int, start: datetime = START, hours: int = HOURS) -> list[Shift]:
    """Every shift overlapping the window, one per person on it: ``day_staff`` on the day shifts,
    ``night_staff(day_staff)`` at night. Logins name the shift (``m-<day>-<shift>-<n>``), so nobody
    works two in a row."""
    end = start + timedelta(hours=hours)
    out: list[Shift] = []
    day = start.date() - timedelta(days=1)
    while datetime.combine(day, datetime.min.time(), tzinfo=ZONE) < end:
        for index, (first, last) in enumerate(SHIFTS):
            begins = datetime.combine(day, datetime.min.time(), tzinfo=ZONE) + timedelta(hours=first)
            finishes = datetime.combine(day, datetime.min.time(), tzinfo=ZONE) + timedelta(hours=last)
            if finishes <= start or begins >= end:
                continue
            staff = night_staff(day_staff) if index == 2 else day_staff
            for n in range(staff):
                out.append(Shift(f"m-{day:%a}-{index}-{n}".lower(),
                                 max(start, begins - timedelta(minutes=EARLY_MINUTES)).timestamp(),
                                 finishes.timestamp()))
        day += timedelta(days=1)
    return out


def night_staff(day_staff: int) -> int:
    """People on the night shift: half the day shift's, rounded up (the night has a fifth of the contacts)."""
    return (day_staff + 1) // 2


def think_minutes(rng: random.Random, first: bool) -> float:
    """How long a moderator takes for one reply, in minutes."""
    median = FIRST_REPLY_MEDIAN if first else LATER_REPLY_MEDIAN
    return min(MAX_THINK, max(MIN_THINK, rng.lognormvariate(math.log(median), SPREAD)))


def on_duty(all_shifts: list[Shift], at: float) -> int:
    """People on a shift at ``at`` (the early arrivals of the next shift counted)."""
    return sum(s.starts <= at < s.ends for s in all_shifts)
