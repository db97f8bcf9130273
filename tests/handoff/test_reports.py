"""Service reports: percentiles, windows, per-day grouping and CSV (handoff/reports.py, stats_csv.py),
and ``/api/stats?window=`` / ``/api/stats.csv`` on the real app and Redis."""

from __future__ import annotations

import csv
import io
import time
from zoneinfo import ZoneInfo

import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient

from bot.core import keys
from handoff.models import Ticket, TicketState
from handoff.reports import ReportRules, per_day, percentile, percentiles, report, window_start
from handoff.stats_csv import csv_text, safe_cell
from tests.handoff.conftest import Factory, sign_in

WARSAW = ZoneInfo("Europe/Warsaw")
NOW = 1_796_000_000.0  # 2026-11-30 01:53:20 in Warsaw (CET, UTC+1)
MIDNIGHT = 1_795_993_200.0  # 2026-11-30 00:00 in Warsaw
DAY = 86400.0
RULES = ReportRules(sla_seconds=1800.0, zone=WARSAW, now=NOW)


def ticket(n: int, created: float, first: float | None = None, resolved: float | None = None,
           channel: str = "webchat", name: str = "Jan") -> Ticket:
    state = TicketState.RESOLVED if resolved is not None else TicketState.ASSIGNED if first else TicketState.QUEUED
    return Ticket(id=f"T{n}", conversation_id=f"web:{n}", channel=channel, lang="pl", customer_name=name,
                  reasons=[], evidence=[], state=state, created_at=created,
                  first_response_at=None if first is None else created + first,
                  resolved_at=None if resolved is None else created + resolved,
                  outcome="resolved" if resolved is not None else "")


def test_percentiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(1, 21)]  # 1..20
    assert percentiles(values) == {"p50": 10.0, "p90": 18.0, "p95": 19.0}
    assert percentile([7.0], 95) == 7.0 and percentile([], 50) is None
    assert percentile([30.0, 10.0, 20.0], 50) == 20.0  # unsorted input


def test_windows_start_at_local_midnight() -> None:
    assert window_start("today", NOW, WARSAW) == MIDNIGHT
    assert window_start("7d", NOW, WARSAW) == MIDNIGHT - 6 * DAY  # today and the six days before
    assert window_start("30d", NOW, WARSAW) == MIDNIGHT - 29 * DAY
    with pytest.raises(ValueError, match="window must be one of today, 7d, 30d"):
        window_start("week", NOW, WARSAW)


def test_tickets_group_per_local_day_with_empty_days_kept() -> None:
    since = window_start("7d", NOW, WARSAW)
    # 23:30 on the 29th in Warsaw; 00:30 on the 30th in Warsaw, still the 29th in UTC: a local day
    tickets = [ticket(1, MIDNIGHT - 1800, first=60), ticket(4, MIDNIGHT + 1800, first=60),
               ticket(2, NOW - 600, first=3000), ticket(3, NOW - 300)]
    days = per_day(tickets, RULES, since)
    assert [d["day"] for d in days] == ["2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27", "2026-11-28",
                                        "2026-11-29", "2026-11-30"]
    assert [d["tickets"] for d in days] == [0, 0, 0, 0, 0, 1, 3]
    assert days[-1]["first_response_seconds"] == {"p50": 60.0, "p90": 3000.0, "p95": 3000.0}
    assert days[-1]["sla_breaches"] == 1  # answered after 50 minutes; the other waits 5 minutes so far
    assert days[0]["first_response_seconds"]["p90"] is None


def test_report_totals_per_channel_and_only_the_window() -> None:
    since = window_start("today", NOW, WARSAW)
    tickets = [ticket(1, NOW - 3600, first=120, resolved=900), ticket(2, NOW - 1800, first=600, channel="messenger"),
               ticket(3, NOW - 2 * DAY, first=9999)]
    out = report(tickets, RULES, since)
    assert out["total"]["tickets"] == 2 and out["total"]["resolution_seconds"]["p50"] == 900.0
    assert sorted(out["per_channel"]) == ["messenger", "webchat"]
    assert out["per_channel"]["messenger"]["first_response_seconds"]["p95"] == 600.0
    assert "per_team" not in out  # no ticket has a team


def test_csv_quotes_and_defuses_formulas() -> None:
    tickets = [ticket(1, NOW - 60, first=30, name='Kowalski, Jan "Janek"'), ticket(2, NOW - 30, name="=HYPERLINK(1)")]
    text = csv_text(tickets, RULES)
    assert '"Kowalski, Jan ""Janek"""' in text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:6] == ["ticket", "created_at", "day", "channel", "team", "customer_name"]
    assert rows[1][5] == 'Kowalski, Jan "Janek"' and rows[1][8] == "30" and rows[1][10] == "no"
    assert rows[2][5] == "'=HYPERLINK(1)"
    assert [safe_cell(v) for v in ("+1", "-2", "@x", "ok", None)] == ["'+1", "'-2", "'@x", "ok", ""]


async def store(redis_url: str, tickets: list[Ticket]) -> None:
    client = aioredis.from_url(redis_url, decode_responses=True)
    for t in tickets:
        await client.hset(keys.ticket(t.id), mapping=t.to_redis())
        await client.zadd(keys.ALL, {t.id: t.created_at})
    await client.aclose()


async def test_api_stats_reports_a_window_and_refuses_a_bad_one(
        aiohttp_client: Factory, app_client: TestClient, redis_url: str) -> None:
    now = time.time()
    await store(redis_url, [ticket(1, now - 120, first=60, resolved=100, name="Ala"),
                            ticket(2, now - 40 * DAY, first=10)])
    anna = await sign_in(aiohttp_client, app_client, "anna")
    status, plain = await anna.call("GET", "/api/stats")
    assert status == 200 and "report" not in plain  # as before without a window
    status, body = await anna.call("GET", "/api/stats?window=30d")
    assert status == 200 and body["window"] == "30d" and body["report"]["total"]["tickets"] == 1
    assert body["report"]["total"]["first_response_seconds"]["p90"] == pytest.approx(60.0)
    assert len(body["report"]["per_day"]) == 30 and "queue_length" in body
    for bad in ("week", "", "7D"):
        status, error = await anna.call("GET", f"/api/stats?window={bad}")
        assert status == 400 and "window" in error["error"]


async def test_api_stats_csv_downloads_the_window(
        aiohttp_client: Factory, app_client: TestClient, redis_url: str) -> None:
    now = time.time()
    await store(redis_url, [ticket(1, now - 120, first=60, name='Nowak, "Ewa"'), ticket(2, now - 60, name="@cmd")])
    anna = await sign_in(aiohttp_client, app_client, "anna")
    response = await anna.client.get("/api/stats.csv?window=7d")
    assert response.status == 200 and response.content_type == "text/csv"
    assert 'filename="stats-7d.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(await response.text())))
    assert [r[5] for r in rows[1:]] == ['Nowak, "Ewa"', "'@cmd"]
    assert (await anna.client.get("/api/stats.csv?window=1y")).status == 400
    await anna.client.post("/logout", headers={"X-CSRF-Token": anna.csrf})
    assert (await app_client.get("/api/stats.csv?window=7d")).status == 401
