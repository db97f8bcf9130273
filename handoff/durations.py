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

from prometheus_client.core import HistogramMetricFamily

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


def histogram_family(histogram: str, raw: dict[Any, Any]) -> HistogramMetricFamily:
    """One histogram from its hash (fields ``[channel, team, part]``), buckets made cumulative."""
    series: dict[tuple[str, str], dict[str, float]] = {}
    for field, value in raw.items():
        try:
            channel, team, part = json.loads(as_str(field))
        except ValueError:
            continue
        series.setdefault((str(channel), str(team)), {})[str(part)] = float(as_str(value))
    name, help_text = HISTOGRAMS[histogram]
    family = HistogramMetricFamily(name, help_text, labels=["channel", "team"])
    for (channel, team), parts in sorted(series.items()):
        running, buckets = 0.0, []
        for bound in (*map(str, BUCKETS), INF):
            running += parts.get(bound, 0)
            buckets.append((bound, running))
        family.add_metric([channel, team], buckets, parts.get("sum", 0.0))
    return family


async def families(client: Any) -> list[HistogramMetricFamily]:
    """Both histograms, read from Redis for one scrape of ``/metrics``."""
    return [histogram_family(histogram, await client.hgetall(keys.durations(histogram))) for histogram in HISTOGRAMS]
