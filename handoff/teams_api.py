"""Teams, statuses and capacities over HTTP: a moderator sets their status; admins manage teams and
capacities; everyone sees the team loads (``/api/team_loads``) the queue page shows."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict
from typing import Annotated, Literal

from aiohttp import web
from pydantic import BaseModel, BeforeValidator, Field

from handoff.accounts import LOGIN
from handoff.appkeys import ACCOUNTS, REDIS, SETTINGS, TICKETS, session_of
from handoff.assigner import request_assign
from handoff.assignment import MAX_CAPACITY, parse_capacity
from handoff.contract import Body, body_of, contract, json_object
from handoff.models import TicketState
from handoff.presence import STATUSES, capacities, set_capacity, set_status, status, statuses
from handoff.teams import CHANNELS, MAX_ITEMS, TEAM_NAME, Team, Teams
from handoff.web_auth import require_admin

Status = Literal["available", "busy", "away"]  # handoff.presence.STATUSES
Strings = Annotated[list[Annotated[str, Field(min_length=1)]], Field(max_length=MAX_ITEMS)]
NAME = {"name": Annotated[str, Field(pattern=TEAM_NAME.pattern)]}


def _status(value: object) -> str:
    if not isinstance(value, str) or value not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    return value


class StatusBody(Body):
    status: Annotated[Status, BeforeValidator(_status)]


class CapacityBody(Body):
    capacity: Annotated[int, Field(ge=0, le=MAX_CAPACITY), BeforeValidator(parse_capacity)]


class TeamBody(Body):
    """Described here; checked by ``handoff.teams.Teams.save``, which the command line shares."""

    members: Strings = Field(default_factory=list)
    topics: Strings = Field(default_factory=list)
    channels: list[Literal[CHANNELS]] = Field(default_factory=list)  # type: ignore[valid-type]
    fallback: bool = False  # takes what no other team covers


class StatusOut(BaseModel):
    login: str
    status: Status
    teams: list[str]


class MemberLoad(BaseModel):
    login: str
    status: Status
    load: int
    capacity: int


class TeamLoad(BaseModel):
    name: str
    members: list[MemberLoad]


class TeamLoadsOut(BaseModel):
    teams: list[TeamLoad]


class TeamsOut(BaseModel):
    teams: list[Team]


class RemovedOut(BaseModel):
    removed: str


class CapacityOut(BaseModel):
    login: str
    capacity: int


@contract("The signed-in moderator's status (available, busy, away) and teams; the console's ping", reply=StatusOut)
async def my_status(request: web.Request) -> web.Response:
    """The console's presence ping (every signed-in request marks its moderator seen) and their status."""
    app, login = request.app, session_of(request).account.login
    now_status = await status(app[REDIS], login, presence_seconds=app[SETTINGS].assignment.presence_seconds)
    return web.json_response({"login": login, "status": now_status,
                              "teams": await Teams(app[REDIS]).teams_of(login)})


@contract("Set one's status", body=StatusBody, reply=StatusOut)
async def put_status(request: web.Request) -> web.Response:
    login = session_of(request).account.login
    await set_status(request.app[REDIS], login, (await body_of(request, StatusBody)).status)
    await request_assign(request.app)
    return await my_status(request)


@contract("Teams and each member's status, load and capacity", reply=TeamLoadsOut)
async def team_loads(request: web.Request) -> web.Response:
    """Each team and each of its members' load (n/capacity) and status, for the queue page."""
    app = request.app
    teams = await Teams(app[REDIS]).all()
    logins = sorted({m for t in teams for m in t.members})
    limits = app[SETTINGS].assignment
    now_status = await statuses(app[REDIS], logins, presence_seconds=limits.presence_seconds)
    capacity = await capacities(app[REDIS], logins, limits.default_capacity)
    loads = Counter(t.owner for t in await app[TICKETS].open_tickets() if t.state == TicketState.ASSIGNED)
    return web.json_response({"teams": [
        {"name": t.name, "members": [{"login": m, "status": now_status[m], "load": loads[m], "capacity": capacity[m]}
                                     for m in t.members]} for t in teams]})


@contract("Teams, oldest first: members, topics, channels, fallback (admin)", reply=TeamsOut)
async def list_teams(request: web.Request) -> web.Response:
    require_admin(request)
    return web.json_response({"teams": [asdict(t) for t in await Teams(request.app[REDIS]).all()]})


@contract("Make or replace a team (admin)", body=TeamBody, reply=Team, path=NAME)
async def put_team(request: web.Request) -> web.Response:
    require_admin(request)
    data = await json_object(request)
    logins = {a.login for a in await request.app[ACCOUNTS].all() if not a.disabled}
    team = await Teams(request.app[REDIS]).save(request.match_info["name"], data.get("members", []),
                                                data.get("topics", []), data.get("channels", []),
                                                data.get("fallback", False), logins)
    await request_assign(request.app)
    return web.json_response(asdict(team))


@contract("Remove a team; its tickets stay where they are (admin)", reply=RemovedOut, path=NAME)
async def delete_team(request: web.Request) -> web.Response:
    require_admin(request)
    await Teams(request.app[REDIS]).remove(request.match_info["name"])
    return web.json_response({"removed": request.match_info["name"]})


@contract("Automatic tickets a moderator holds at once; 0: none (admin)", body=CapacityBody, reply=CapacityOut,
          path={"login": Annotated[str, Field(pattern=LOGIN.pattern)]})
async def put_capacity(request: web.Request) -> web.Response:
    require_admin(request)
    account = await request.app[ACCOUNTS].get(request.match_info["login"])
    capacity = (await body_of(request, CapacityBody)).capacity
    await set_capacity(request.app[REDIS], account.login, capacity)
    await request_assign(request.app)
    return web.json_response({"login": account.login, "capacity": capacity})


def setup_routes(app: web.Application) -> None:
    r = app.router
    r.add_get("/api/status", my_status)
    r.add_put("/api/status", put_status)
    r.add_get("/api/team_loads", team_loads)
    r.add_get("/api/admin/teams", list_teams)
    r.add_put("/api/admin/teams/{name}", put_team)  # the name is checked by handoff.teams (400/404 naming it)
    r.add_delete("/api/admin/teams/{name}", delete_team)
    r.add_put("/api/admin/moderators/{login}/capacity", put_capacity)

