"""Conversations the archiver set aside (``keys.ARCHIVE_FAILED``), for an admin to see and retry.

The archiver writes an entry after ``ARCHIVE_ATTEMPTS`` failed passes; its events stay in Redis.
A retry takes the entry out and puts the conversation back in ``keys.ACTIVITY`` as due, with a
fresh attempt count, so the next pass of any replica tries it again.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from redis.asyncio import Redis

from bot.core import keys
from handoff.errors import BadRequest, NotFound

MAX_ID_LENGTH = 200  # as /internal/tickets accepts
DUE = 0  # an activity score older than any idle time: archived on the next pass
# Only if it is set aside: out of the hash, due (unless the customer's activity already put it
# back), attempts from zero. One script, so two admins retrying it cannot both succeed.
RETRY = """
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], 'NX', ARGV[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
return 1
"""


@dataclass(frozen=True)
class SetAside:
    conversation_id: str
    at: float | None
    attempts: int | None
    error: str

    @classmethod
    def from_redis(cls, conversation_id: str, raw: str) -> SetAside:
        try:
            entry: Any = json.loads(raw)
        except json.JSONDecodeError:
            entry = None
        if not isinstance(entry, dict):  # still listed: it can be retried even if its entry is unreadable
            return cls(conversation_id, None, None, "unreadable entry")
        at, attempts = entry.get("at"), entry.get("attempts")
        return cls(conversation_id, float(at) if isinstance(at, (int, float)) else None,
                   attempts if isinstance(attempts, int) else None, str(entry.get("error") or ""))

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def check_id(conversation_id: str) -> str:
    if not 0 < len(conversation_id) <= MAX_ID_LENGTH or not conversation_id.isprintable():
        raise BadRequest(f"conversation id must be 1-{MAX_ID_LENGTH} printable characters")
    return conversation_id


class ArchiveFailures:
    def __init__(self, client: Redis) -> None:
        self.redis: Any = client

    async def entries(self) -> list[SetAside]:
        """Newest first."""
        raw = await self.redis.hgetall(keys.ARCHIVE_FAILED)
        entries = [SetAside.from_redis(conversation_id, value) for conversation_id, value in raw.items()]
        return sorted(entries, key=lambda e: e.at or 0.0, reverse=True)

    async def retry(self, conversation_id: str) -> None:
        check_id(conversation_id)
        done = await self.redis.eval(RETRY, 3, keys.ARCHIVE_FAILED, keys.ACTIVITY, keys.ARCHIVE_ATTEMPTS,
                                     conversation_id, DUE)
        if not done:
            raise NotFound(f"conversation {conversation_id} is not set aside")
