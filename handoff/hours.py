"""Opening hours: plain functions (the expected wait: ``handoff.wait_estimate``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


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

