"""Opening hours and the expected wait a queued customer is told: plain functions."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

# Until the service has measured how long tickets wait, assume this per ticket ahead.
DEFAULT_MINUTES_PER_TICKET = 5.0


@dataclass(frozen=True)
class OpeningHours:
    opens: time
    closes: time
    zone: ZoneInfo

    @classmethod
    def parse(cls, spec: str, zone: str) -> OpeningHours:
        """``"08:00-22:00"`` in an IANA zone such as ``Europe/Warsaw``; ValueError if malformed."""
        try:
            start, end = (time.fromisoformat(part.strip()) for part in spec.split("-"))
        except ValueError:
            raise ValueError(f"opening hours must look like 08:00-22:00, got {spec!r}") from None
        if start >= end:
            raise ValueError(f"opening hours must open before they close, got {spec!r}")
        return cls(start, end, ZoneInfo(zone))

    def is_open(self, at: datetime) -> bool:
        local = at.astimezone(self.zone).time()
        return self.opens <= local < self.closes

    def next_opening(self, at: datetime) -> datetime:
        """When people are next at work, from ``at`` (``at`` itself when open)."""
        local = at.astimezone(self.zone)
        if self.is_open(at):
            return local
        day = local.date() if local.time() < self.opens else local.date() + timedelta(days=1)
        return datetime.combine(day, self.opens, tzinfo=self.zone)


def expected_wait_minutes(position: int, moderators_online: int, minutes_per_ticket: float) -> int:
    """Minutes until a person answers the ticket at ``position`` (1 = next), rounded up to 5."""
    per_ticket = minutes_per_ticket if minutes_per_ticket > 0 else DEFAULT_MINUTES_PER_TICKET
    minutes = position * per_ticket / max(moderators_online, 1)
    return max(5, math.ceil(minutes / 5.0) * 5)
