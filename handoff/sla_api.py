"""A team's SLA targets over HTTP (admin): ``PUT /api/admin/teams/{name}/sla``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from aiohttp import web

from handoff.api import _body
from handoff.appkeys import REDIS
from handoff.sla import MAX_MINUTES, MIN_MINUTES, TEAM_FIELDS
from handoff.team_sla import set_team_sla
from handoff.teams import TEAM_NAME
from handoff.web_auth import require_admin


async def put_team_sla(request: web.Request) -> web.Response:
    require_admin(request)
    team = await set_team_sla(request.app[REDIS], request.match_info["name"], await _body(request))
    return web.json_response(asdict(team))


def setup_routes(app: web.Application) -> None:
    app.router.add_put("/api/admin/teams/{name}/sla", put_team_sla)


def openapi_paths(op: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """This module's routes in ``handoff.openapi``'s document."""
    name = {"name": "name", "in": "path", "required": True, "schema": {"type": "string", "pattern": TEAM_NAME.pattern}}
    minutes = {"type": "integer", "nullable": True, "minimum": MIN_MINUTES, "maximum": MAX_MINUTES}
    return {"/api/admin/teams/{name}/sla": {"put": op(
        "Set a team's own SLA targets in minutes (first reply, later replies, resolution); null: the "
        "channel's or the default (admin)", params=[name],
        body={"type": "object", "properties": {f: minutes for f in TEAM_FIELDS}})}}
