from datetime import datetime, timezone

import pytest

from handoff.hours import OpeningHours

HOURS = OpeningHours.parse("08:00-22:00", "Europe/Warsaw")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def test_open_in_warsaw_time_across_daylight_saving() -> None:
    assert HOURS.is_open(utc("2026-11-26T07:30"))  # 08:30 in winter (UTC+1)
    assert not HOURS.is_open(utc("2026-11-26T06:30"))  # 07:30
    assert not HOURS.is_open(utc("2026-07-01T20:30"))  # 22:30 in summer (UTC+2)
    assert HOURS.is_open(utc("2026-07-01T19:30"))  # 21:30


def test_next_opening() -> None:
    late = HOURS.next_opening(utc("2026-11-26T22:15"))  # 23:15 in Warsaw
    assert late.isoformat() == "2026-11-27T08:00:00+01:00"
    early = HOURS.next_opening(utc("2026-11-26T03:00"))  # 04:00
    assert early.isoformat() == "2026-11-26T08:00:00+01:00"
    now = utc("2026-11-26T10:00")
    assert HOURS.next_opening(now) == now


@pytest.mark.parametrize("spec", ["8-22", "22:00-08:00", "08:00", "ab:cd-ef:gh"])
def test_bad_hours_are_refused(spec: str) -> None:
    with pytest.raises(ValueError, match="opening hours"):
        OpeningHours.parse(spec, "Europe/Warsaw")

