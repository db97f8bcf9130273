"""The stats report's tickets as CSV (``GET /api/stats.csv``): one row per ticket, quoted by the csv
module, with cells that a spreadsheet would run as a formula made inert (CSV injection)."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from handoff.models import Ticket
from handoff.reports import ReportRules, day_of, first_response_seconds, resolution_seconds, sla_breached, team_of

COLUMNS = ("ticket", "created_at", "day", "channel", "team", "customer_name", "state", "outcome",
           "first_response_seconds", "resolution_seconds", "sla_breached")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what spreadsheets read as the start of a formula


def safe_cell(value: object) -> str:
    """The text of a cell; one starting like a formula gets a leading ``'`` so it stays text."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.0f}"


def row(t: Ticket, rules: ReportRules) -> list[str]:
    created = datetime.fromtimestamp(t.created_at, rules.zone).isoformat(timespec="seconds")
    cells: list[object] = [t.id, created, day_of(t.created_at, rules.zone), t.channel, team_of(t), t.customer_name,
                           t.state.value, t.outcome, _seconds(first_response_seconds(t)),
                           _seconds(resolution_seconds(t)), "yes" if sla_breached(t, rules.sla_seconds, rules.now)
                           else "no"]
    return [safe_cell(c) for c in cells]


def csv_text(tickets: list[Ticket], rules: ReportRules) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(row(t, rules) for t in sorted(tickets, key=lambda t: t.created_at))
    return out.getvalue()
