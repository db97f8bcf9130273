"""The stats report over a window (``/api/stats?window=7d``, ``/api/stats.csv?window=7d``): the
window's tickets read from the ticket index, handed to ``handoff.reports`` and ``handoff.stats_csv``."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import BaseModel, Field

from bot.core import keys
from bot.core.text import as_str
from handoff import clock
from handoff.answer_ratings import AnswerRatings, tally
from handoff.appkeys import REDIS, SETTINGS
from handoff.contract import contract, query_of
from handoff.errors import BadRequest
from handoff.models import Ticket
from handoff.reports import WINDOW_DAYS, ReportRules, report, window_start
from handoff.stats_csv import csv_text
from handoff.team_sla import ticket_targets

MAX_REPORT_TICKETS = 50_000  # newest first beyond this: a report never reads an unbounded index
READ_BATCH = 500  # ticket hashes read per pipeline


class WindowQuery(BaseModel):
    """``?window=``: checked by ``handoff.reports.window_start`` (its message names the field)."""

    window: str = Field("today", json_schema_extra={"enum": list(WINDOW_DAYS)})


async def tickets_since(client: Any, since: float) -> list[Ticket]:
    ids = [as_str(i) for i in await client.zrevrangebyscore(keys.ALL, "+inf", since, start=0,
                                                            num=MAX_REPORT_TICKETS)]
    tickets: list[Ticket] = []
    for start in range(0, len(ids), READ_BATCH):
        async with client.pipeline(transaction=False) as pipe:
            for ticket_id in ids[start:start + READ_BATCH]:
                pipe.hgetall(keys.ticket(ticket_id))
            tickets += [Ticket.from_redis({as_str(k): as_str(v) for k, v in raw.items()})
                        for raw in await pipe.execute() if raw]
    return tickets


async def _window(request: web.Request) -> tuple[str, float, ReportRules]:
    settings, now = request.app[SETTINGS], clock.now()
    window = query_of(request, WindowQuery).window
    try:
        since = window_start(window, now, settings.opening_hours.zone)
    except ValueError as e:
        raise BadRequest(str(e)) from None
    targets = await ticket_targets(request.app[REDIS], settings.sla, settings.sla_minutes)  # per team, channel
    return window, since, ReportRules(settings.sla_minutes * 60.0, settings.opening_hours.zone, now, targets)


async def window_report(request: web.Request) -> dict[str, Any]:
    """What ``/api/stats`` adds when asked for a ``window``: nothing without one."""
    if "window" not in request.query:
        return {}
    window, since, rules = await _window(request)
    client = request.app[REDIS]
    ratings = AnswerRatings(client, request.app[SETTINGS].tracker_keys)
    return {"window": window, "since": since, "sla_minutes": request.app[SETTINGS].sla_minutes,
            "report": report(await tickets_since(client, since), rules, since),
            "answer_ratings": [e.to_json() for e in tally(await ratings.all(), since)]}


@contract("The window's tickets as CSV", query=WindowQuery, media="text/csv", errors=(400, 401))
async def stats_csv(request: web.Request) -> web.Response:
    window, since, rules = await _window(request)
    text = csv_text(await tickets_since(request.app[REDIS], since), rules)
    return web.Response(text=text, content_type="text/csv", charset="utf-8", headers={
        "Content-Disposition": f'attachment; filename="stats-{window}.csv"', "Cache-Control": "no-store"})


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/api/stats.csv", stats_csv)
