"""Queue and service figures: JSON for the stats page, Prometheus text at ``/metrics``."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.core import keys
from handoff import clock
from handoff.appkeys import REDIS, SETTINGS, TICKETS
from handoff.durations import prometheus_lines as duration_lines
from handoff.models import TicketState
from handoff.ratings import prometheus_lines, satisfaction

HELP = {
    "queue_length": "Tickets waiting for a moderator",
    "open_tickets": "Tickets not resolved (waiting or owned by a moderator)",
    "oldest_wait_seconds": "How long the longest-waiting ticket has waited",
    "sla_breaches_open": "Open tickets past the first-response target without a reply",
    "tickets_created_total": "Conversations handed to people",
    "first_responses_total": "Tickets that got a first human reply",
    "reply_breaches_total": "Later human replies that came after their SLA target",
    "first_response_seconds_avg": "Average time from handoff to the first human reply",
    "resolved_total": "Tickets resolved by a moderator",
    "handed_back_total": "Tickets handed back to the bot",
    "resolution_seconds_avg": "Average time from handoff to closing",
    "conversations_total": "Conversations seen (approximate count)",
    "handoff_rate": "Share of conversations handed to people",
    "bot_resolved_share": "Share of conversations the bot handled alone",
}


def _number(raw: Any) -> float:
    return float(raw) if raw else 0.0


async def snapshot(app: web.Application) -> dict[str, float]:
    client, now = app[REDIS], clock.now()
    stats = {k: _number(v) for k, v in (await client.hgetall(keys.STATS)).items()}
    open_tickets = await app[TICKETS].open_tickets()
    waiting = [t for t in open_tickets if t.state == TicketState.QUEUED]
    sla_seconds = app[SETTINGS].sla_minutes * 60
    created, conversations = stats.get("tickets_created", 0.0), float(await client.pfcount(keys.CONVERSATIONS))
    first = stats.get("first_responses", 0.0)
    closed = stats.get("closed_resolved", 0.0) + stats.get("closed_handed_back", 0.0)
    rate = min(created / conversations, 1.0) if conversations else 0.0
    return {
        "queue_length": float(len(waiting)),
        "open_tickets": float(len(open_tickets)),
        "oldest_wait_seconds": max((now - t.created_at for t in waiting), default=0.0),
        "sla_breaches_open": float(sum(1 for t in open_tickets
                                       if t.first_response_at is None and now - t.created_at > sla_seconds)),
        "tickets_created_total": created,
        "first_responses_total": first,
        "reply_breaches_total": stats.get("reply_breaches", 0.0),  # later replies after their target (handoff.sla)
        "first_response_seconds_avg": stats.get("first_response_seconds", 0.0) / first if first else 0.0,
        "resolved_total": stats.get("closed_resolved", 0.0),
        "handed_back_total": stats.get("closed_handed_back", 0.0),
        "resolution_seconds_avg": stats.get("resolution_seconds", 0.0) / closed if closed else 0.0,
        "conversations_total": conversations,
        "handoff_rate": rate,
        "bot_resolved_share": 1.0 - rate if conversations else 0.0,
    }


def prometheus_text(values: dict[str, float]) -> str:
    lines: list[str] = []
    for name, value in values.items():
        metric = f"volta_handoff_{name}"
        kind = "counter" if name.endswith("_total") else "gauge"
        lines += [f"# HELP {metric} {HELP[name]}", f"# TYPE {metric} {kind}", f"{metric} {value:g}"]
    return "\n".join(lines) + "\n"


async def metrics(request: web.Request) -> web.Response:
    text = prometheus_text(await snapshot(request.app)) + prometheus_lines(await satisfaction(request.app[REDIS]))
    text += await duration_lines(request.app[REDIS])
    return web.Response(text=text, content_type="text/plain", charset="utf-8",
                        headers={"Cache-Control": "no-store"})
