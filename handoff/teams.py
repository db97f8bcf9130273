"""Moderator teams: who is in each and what it covers (FAQ topics, channels), in one Redis hash.

A new ticket goes to the first team (oldest first) covering its topic or its channel, else to the
fallback team; with no teams at all tickets have no team and nothing is assigned automatically.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from typing import Any

from redis.asyncio import Redis

from bot.core import keys
from bot.core.text import as_str
from handoff.errors import BadRequest, NotFound

TEAM_NAME = re.compile(r"^[a-z0-9_-]{1,32}$")
CHANNELS = ("webchat", "messenger", "comment")
MAX_TEAMS = 50
MAX_ITEMS = 200  # members or topics of one team
MAX_TOPIC_CHARS = 80


@dataclass
class Team:
    name: str
    members: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    fallback: bool = False  # takes what no other team covers
    created_at: float = 0.0
    # the team's own SLA targets in minutes, None: the channel's or the default (handoff.sla, handoff.team_sla)
    sla_minutes: int | None = None
    reply_sla_minutes: int | None = None
    resolution_sla_minutes: int | None = None

    def covers(self, topic: str, channel: str) -> bool:
        return bool(topic and topic in self.topics) or channel in self.channels


def ticket_topic(evidence: list[dict[str, Any]]) -> str:
    """The likeliest FAQ topic the brain gave the ticket (``actions.answer.ticket_evidence``), or ""."""
    return next((str(e.get("faq_id", "")) for e in evidence if e.get("kind") == "topic"), "")


def team_for(teams: list[Team], topic: str, channel: str) -> str:
    """The first team (oldest first) covering the topic or the channel, else the fallback team, else ""."""
    ordered = sorted(teams, key=lambda t: (t.created_at, t.name))
    covering = next((t for t in ordered if t.covers(topic, channel)), None)
    fallback = next((t for t in ordered if t.fallback), None)
    chosen = covering or fallback
    return chosen.name if chosen else ""


def _strings(value: object, name: str, max_chars: int) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and 0 < len(v) <= max_chars for v in value):
        raise BadRequest(f"{name} must be a list of non-empty strings of at most {max_chars} characters")
    if len(value) > MAX_ITEMS:
        raise BadRequest(f"{name}: at most {MAX_ITEMS}")
    return list(dict.fromkeys(value))


def check_name(name: object) -> str:
    if not isinstance(name, str) or not TEAM_NAME.match(name):
        raise BadRequest("name must be 1-32 characters: lower-case letters, digits, '_' or '-'")
    return name


class Teams:
    def __init__(self, client: Redis) -> None:
        self.redis: Any = client

    async def all(self) -> list[Team]:
        raw = await self.redis.hgetall(keys.TEAMS)
        teams = [Team(**json.loads(as_str(v))) for v in raw.values()]
        return sorted(teams, key=lambda t: (t.created_at, t.name))

    async def get(self, name: str) -> Team:
        raw = await self.redis.hget(keys.TEAMS, name) if TEAM_NAME.match(name) else None
        if not raw:
            raise NotFound(f"team {name} not found")
        return Team(**json.loads(as_str(raw)))

    async def team_for(self, evidence: list[dict[str, Any]], channel: str) -> str:
        return team_for(await self.all(), ticket_topic(evidence), channel)

    async def save(self, name: object, members: object, topics: object, channels: object, fallback: object,
                   known_logins: Collection[str]) -> Team:
        """Make or replace a team (its place in the order is kept); 400 naming the bad field."""
        name = check_name(name)
        team = Team(name, _strings(members, "members", 32), _strings(topics, "topics", MAX_TOPIC_CHARS),
                    _strings(channels, "channels", 16))
        if unknown := [m for m in team.members if m not in known_logins]:
            raise BadRequest(f"members: no moderator {', '.join(unknown)}")
        if bad := [c for c in team.channels if c not in CHANNELS]:
            raise BadRequest(f"channels: {', '.join(bad)} is not one of {', '.join(CHANNELS)}")
        if not isinstance(fallback, bool):
            raise BadRequest("fallback must be true or false")
        team.fallback = fallback
        existing = {t.name: t for t in await self.all()}
        if name not in existing and len(existing) >= MAX_TEAMS:
            raise BadRequest(f"name: at most {MAX_TEAMS} teams")
        team.created_at = existing[name].created_at if name in existing else time.time()
        if name in existing:  # replacing members or coverage keeps the team's SLA targets
            old = existing[name]
            team.sla_minutes, team.reply_sla_minutes = old.sla_minutes, old.reply_sla_minutes
            team.resolution_sla_minutes = old.resolution_sla_minutes
        async with self.redis.pipeline(transaction=True) as pipe:
            if fallback:  # one fallback team: the new one takes the role
                for other in existing.values():
                    if other.fallback and other.name != name:
                        other.fallback = False
                        pipe.hset(keys.TEAMS, other.name, json.dumps(asdict(other)))
            pipe.hset(keys.TEAMS, name, json.dumps(asdict(team)))
            await pipe.execute()
        return team

    async def set_members(self, name: str, members: object, known_logins: Collection[str]) -> Team:
        team = await self.get(name)
        return await self.save(name, members, team.topics, team.channels, team.fallback, known_logins)

    async def remove(self, name: str) -> None:
        await self.get(name)
        await self.redis.hdel(keys.TEAMS, name)

    async def teams_of(self, login: str) -> list[str]:
        return [t.name for t in await self.all() if login in t.members]
