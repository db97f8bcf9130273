"""Teams, statuses and capacities over HTTP: a moderator sets their status; admins manage teams and
capacities; everyone sees the team loads (``/api/team_loads``) the queue page shows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from aiohttp import web

from handoff.accounts import LOGIN
from handoff.api import _body
from handoff.appkeys import ACCOUNTS, REDIS, SETTINGS, TICKETS, session_of
from handoff.assigner import request_assign
from handoff.assignment import MAX_CAPACITY, parse_capacity
from handoff.errors import BadRequest
from handoff.models import TicketState
from handoff.presence import STATUSES, capacities, set_capacity, set_status, status, statuses
from handoff.teams import CHANNELS, MAX_ITEMS, TEAM_NAME, Teams
from handoff.web_auth import require_admin


async def my_status(request: web.Request) -> web.Response:
    """The console's presence ping (every signed-in request marks its moderator seen) and their status."""
    app, login = request.app, session_of(request).account.login
    now_status = await status(app[REDIS], login, presence_seconds=app[SETTINGS].assignment.presence_seconds)
    return web.json_response({"login": login, "status": now_status,
                              "teams": await Teams(app[REDIS]).teams_of(login)})


async def put_status(request: web.Request) -> web.Response:
    login = session_of(request).account.login
    try:
        await set_status(request.app[REDIS], login, (await _body(request)).get("status"))
    except ValueError as e:
        raise BadRequest(str(e)) from None
    await request_assign(request.app)
    return await my_status(request)


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


async def list_teams(request: web.Request) -> web.Response:
    require_admin(request)
    return web.json_response({"teams": [asdict(t) for t in await Teams(request.app[REDIS]).all()]})


async def put_team(request: web.Request) -> web.Response:
    require_admin(request)
    data = await _body(request)
    logins = {a.login for a in await request.app[ACCOUNTS].all() if not a.disabled}
    team = await Teams(request.app[REDIS]).save(request.match_info["name"], data.get("members", []),
                                                data.get("topics", []), data.get("channels", []),
                                                data.get("fallback", False), logins)
    await request_assign(request.app)
    return web.json_response(asdict(team))


async def delete_team(request: web.Request) -> web.Response:
    require_admin(request)
    await Teams(request.app[REDIS]).remove(request.match_info["name"])
    return web.json_response({"removed": request.match_info["name"]})


async def put_capacity(request: web.Request) -> web.Response:
    require_admin(request)
    account = await request.app[ACCOUNTS].get(request.match_info["login"])
    try:
        capacity = parse_capacity((await _body(request)).get("capacity"))
    except ValueError as e:
        raise BadRequest(str(e)) from None
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


def openapi_paths(op: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """This module's routes in ``handoff.openapi``'s document."""
    name = {"name": "name", "in": "path", "required": True, "schema": {"type": "string", "pattern": TEAM_NAME.pattern}}
    login = {"name": "login", "in": "path", "required": True, "schema": {"type": "string", "pattern": LOGIN.pattern}}
    strings = {"type": "array", "items": {"type": "string", "minLength": 1}, "maxItems": MAX_ITEMS}
    team = {"type": "object", "properties": {
        "members": strings, "topics": strings, "fallback": {"type": "boolean"},
        "channels": {"type": "array", "items": {"type": "string", "enum": list(CHANNELS)}}}}
    return {
        "/api/status": {
            "get": op("The signed-in moderator's status (available, busy, away) and teams; the console's ping"),
            "put": op("Set one's status", body={"type": "object", "required": ["status"], "properties": {
                "status": {"type": "string", "enum": list(STATUSES)}}})},
        "/api/team_loads": {"get": op("Teams and each member's status, load and capacity")},
        "/api/admin/teams": {"get": op("Teams, oldest first: members, topics, channels, fallback (admin)")},
        "/api/admin/teams/{name}": {
            "put": op("Make or replace a team (admin)", params=[name], body=team),
            "delete": op("Remove a team; its tickets stay where they are (admin)", params=[name])},
        "/api/admin/moderators/{login}/capacity": {"put": op(
            "Automatic tickets a moderator holds at once; 0: none (admin)", params=[login], body={
                "type": "object", "required": ["capacity"], "properties": {
                    "capacity": {"type": "integer", "minimum": 0, "maximum": MAX_CAPACITY}}})},
    }
