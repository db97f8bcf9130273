"""A team's own SLA targets (``PUT /api/admin/teams/{name}/sla``, ``add-team --sla-minutes``) and each
ticket's targets for the queue, the ticket page and reports (``handoff.sla`` has the rules)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, replace
from typing import Any

from redis.exceptions import WatchError

from bot.core import keys
from handoff.errors import BadRequest, Conflict
from handoff.models import Ticket
from handoff.sla import TEAM_FIELDS, SlaTargets, Targets, check_minutes, targets_for
from handoff.teams import Team, Teams

RETRIES = 5


def clean(values: Mapping[str, object]) -> dict[str, int | None]:
    """The given targets (absent ones are left out); 400 naming the field that is not 1-10080 minutes or null."""
    try:
        return {f: check_minutes(values[f], f) for f in TEAM_FIELDS if f in values}
    except ValueError as e:
        raise BadRequest(str(e)) from None


async def set_team_sla(client: Any, name: str, values: Mapping[str, object]) -> Team:
    """Set (or with null clear) a team's targets; the rest of the team is untouched. 404 for no such team."""
    changes = clean(values)
    teams = Teams(client)
    for _ in range(RETRIES):
        async with client.pipeline(transaction=True) as pipe:
            try:
                await pipe.watch(keys.TEAMS)
                team = await teams.get(name)
                for f, minutes in changes.items():
                    setattr(team, f, minutes)
                pipe.multi()
                pipe.hset(keys.TEAMS, team.name, json.dumps(asdict(team)))
                await pipe.execute()
                return team
            except WatchError:
                continue
    raise Conflict(f"team {name} is changing too fast; try again")


async def ticket_targets(client: Any, defaults: SlaTargets, first_minutes: int) -> Callable[[Ticket], Targets]:
    """Each ticket's targets by its team and channel, the teams read once. ``first_minutes``: the settings'
    ``sla_minutes`` (HANDOFF_SLA_MINUTES), which the rest of the service uses for the first reply."""
    defaults = replace(defaults, first_minutes=first_minutes)
    teams = {t.name: asdict(t) for t in await Teams(client).all()}
    return lambda t: targets_for(defaults, teams.get(t.team), t.channel)
