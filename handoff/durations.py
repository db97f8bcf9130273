"""First-response and resolution times as Prometheus histograms, shared by every handoff replica.

Observations are counted in Redis (one hash per histogram, ``keys.durations``) inside the same
transaction as the ticket change that ends the wait (``TicketStore.reply`` and ``close``), so
every replica's ``/metrics`` shows the same counts and a retried transaction counts once. Each
observation adds one to the smallest bucket that holds it and its seconds to the sum; the
scrape makes the buckets cumulative, as Prometheus expects. Labels: the ticket's channel and team
(both few: channels are fixed, teams are set by an administrator).
"""

from __future__ import annotations

import json
from typing import Any

from bot.core import keys
from bot.core.text import as_str

MINUTE = 60
BUCKETS = tuple(m * MINUTE for m in (1, 5, 10, 15, 30, 45, 60, 120, 240, 480, 1440))  # upper bounds, seconds
INF = "+Inf"
HISTOGRAMS = {  # name in keys.durations -> (Prometheus name, HELP)
    "first_response": ("volta_handoff_first_response_seconds", "Time from handoff to the first human reply"),
    "resolution": ("volta_handoff_resolution_seconds", "Time from handoff to closing (resolved or handed back)"),
}


def bucket_of(seconds: float) -> str:
    """The smallest bucket bound holding the duration, as its ``le`` label."""
    return next((str(b) for b in BUCKETS if seconds <= b), INF)


def _field(channel: str, team: str, part: str) -> str:
    return json.dumps([channel, team, part], ensure_ascii=False)


def observe(pipe: Any, histogram: str, channel: str, team: str, seconds: float) -> None:
    """Count one duration, in the caller's transaction."""
    key, seconds = keys.durations(histogram), max(seconds, 0.0)
    pipe.hincrby(key, _field(channel, team, bucket_of(seconds)), 1)
    pipe.hincrbyfloat(key, _field(channel, team, "sum"), seconds)


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def histogram_lines(histogram: str, raw: dict[Any, Any]) -> list[str]:
    """Prometheus text of one histogram from its hash (fields ``[channel, team, part]``)."""
    series: dict[tuple[str, str], dict[str, float]] = {}
    for field, value in raw.items():
        try:
            channel, team, part = json.loads(as_str(field))
        except ValueError:
            continue
        series.setdefault((str(channel), str(team)), {})[str(part)] = float(as_str(value))
    name, help_text = HISTOGRAMS[histogram]
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} histogram"]
    for (channel, team), parts in sorted(series.items()):
        labels = f'channel="{_label(channel)}",team="{_label(team)}"'
        running = 0
        for bound in (*map(str, BUCKETS), INF):
            running += int(parts.get(bound, 0))
            lines.append(f'{name}_bucket{{{labels},le="{bound}"}} {running}')
        lines += [f"{name}_sum{{{labels}}} {parts.get('sum', 0.0)!r}", f"{name}_count{{{labels}}} {running}"]
    return lines


async def prometheus_lines(client: Any) -> str:
    """Both histograms, for ``/metrics``."""
    lines: list[str] = []
    for histogram in HISTOGRAMS:
        lines += histogram_lines(histogram, await client.hgetall(keys.durations(histogram)))
    return "\n".join(lines) + "\n"
