"""A team's SLA targets over HTTP (admin): ``PUT /api/admin/teams/{name}/sla``."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from aiohttp import web
from pydantic import Field

from handoff.appkeys import REDIS
from handoff.contract import Body, contract, json_object
from handoff.sla import MAX_MINUTES, MIN_MINUTES
from handoff.team_sla import set_team_sla
from handoff.teams import TEAM_NAME, Team
from handoff.web_auth import require_admin

Minutes = Annotated[int | None, Field(ge=MIN_MINUTES, le=MAX_MINUTES)]


class TeamSlaBody(Body):
    """Described here; checked by ``handoff.sla.clean`` (``handoff.sla.TEAM_FIELDS``): null clears a target."""

    sla_minutes: Minutes = None
    reply_sla_minutes: Minutes = None
    resolution_sla_minutes: Minutes = None


@contract("Set a team's own SLA targets in minutes (first reply, later replies, resolution); null: the channel's "
          "or the default (admin)", body=TeamSlaBody, reply=Team,
          path={"name": Annotated[str, Field(pattern=TEAM_NAME.pattern)]})
async def put_team_sla(request: web.Request) -> web.Response:
    require_admin(request)
    team = await set_team_sla(request.app[REDIS], request.match_info["name"], await json_object(request))
    return web.json_response(asdict(team))


def setup_routes(app: web.Application) -> None:
    app.router.add_put("/api/admin/teams/{name}/sla", put_team_sla)

