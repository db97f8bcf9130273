"""Teams and capacities from the command line (``python -m handoff.admin``):

    python -m handoff.admin add-team --name billing --topics invoice,refund --channels messenger --members anna,piotr
    python -m handoff.admin add-team --name everyone --fallback --members anna,piotr,ewa   # what no team covers
    python -m handoff.admin add-team --name vip --channels comment --members anna --sla-minutes 10  # own targets
    python -m handoff.admin set-team-members --name billing --members anna,ewa
    python -m handoff.admin set-capacity --login anna --capacity 3     # 0: no automatic tickets
    python -m handoff.admin list-teams
    python -m handoff.admin remove-team --name billing
"""

from __future__ import annotations

import argparse
from typing import Any

from handoff.accounts import Accounts
from handoff.assignment import parse_capacity
from handoff.errors import BadRequest
from handoff.presence import set_capacity
from handoff.sla import TEAM_FIELDS
from handoff.team_sla import clean, set_team_sla
from handoff.teams import Teams

COMMANDS = ("add-team", "set-team-members", "list-teams", "remove-team", "set-capacity")


def _list(text: str) -> list[str]:
    return [x.strip() for x in text.split(",") if x.strip()]


def add_parsers(sub: Any) -> None:
    add = sub.add_parser("add-team", help="make or replace a team: its members and what it covers")
    add.add_argument("--name", required=True)
    add.add_argument("--members", default="", help="logins, comma-separated")
    add.add_argument("--topics", default="", help="FAQ topic ids, comma-separated")
    add.add_argument("--channels", default="", help="webchat, messenger, comment; comma-separated")
    add.add_argument("--fallback", action="store_true", help="takes the tickets no other team covers")
    for flag in ("--sla-minutes", "--reply-sla-minutes", "--resolution-sla-minutes"):  # handoff.team_sla
        add.add_argument(flag, type=int, help="the team's own SLA target in minutes (1-10080)")
    members = sub.add_parser("set-team-members", help="replace a team's members")
    members.add_argument("--name", required=True)
    members.add_argument("--members", required=True, help="logins, comma-separated")
    sub.add_parser("list-teams", help="list teams, first match first")
    sub.add_parser("remove-team", help="remove a team").add_argument("--name", required=True)
    capacity = sub.add_parser("set-capacity", help="automatic tickets a moderator holds at once")
    capacity.add_argument("--login", required=True)
    capacity.add_argument("--capacity", required=True)


async def run(args: argparse.Namespace, client: Any) -> str:
    teams, accounts = Teams(client), Accounts(client)
    logins = {a.login for a in await accounts.all() if not a.disabled}
    if args.command == "add-team":
        targets = clean({f: getattr(args, f) for f in TEAM_FIELDS if getattr(args, f) is not None})  # before saving
        team = await teams.save(args.name, _list(args.members), _list(args.topics), _list(args.channels),
                                args.fallback, logins)
        if targets:
            await set_team_sla(client, team.name, targets)
        return f"team {team.name} saved"
    if args.command == "set-team-members":
        team = await teams.set_members(args.name, _list(args.members), logins)
        return f"team {team.name}: {', '.join(team.members) or 'no members'}"
    if args.command == "remove-team":
        await teams.remove(args.name)
        return f"removed team {args.name}"
    if args.command == "set-capacity":
        account = await accounts.get(args.login)
        try:
            capacity = parse_capacity(int(args.capacity) if args.capacity.isdigit() else args.capacity)
        except ValueError as e:
            raise BadRequest(str(e)) from None
        await set_capacity(client, account.login, capacity)
        return f"capacity of {account.login}: {capacity}"
    return "\n".join(f"{t.name}\tmembers={','.join(t.members)}\ttopics={','.join(t.topics)}\t"
                     f"channels={','.join(t.channels)}" + ("\tfallback" if t.fallback else "")
                     for t in await teams.all())
