"""Per-client rate limits of the customer channels, shared by every Rasa server through Redis.

Fixed windows: one counter per subject (an IP, a conversation, a PSID) and window, checked
and counted by one Lua script, so two Rasa servers cannot both let the last message through.
A fixed window lets at most twice the limit through across a window's edge; the aim is to
stop floods, not to shape traffic, and one counter per window is the cheapest that holds.
A refused message counts nowhere: a client over a limit is back as soon as the window ends.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

from bot.core.keys import TRACKER_PREFIX, LimitKeys, TrackerKeys
from bot.core.redis_clients import async_client
from bot.core.redis_config import RedisConfig
from bot.rasa_side.settings import Limits

MINUTE = 60
HOUR = 3600

# KEYS: the conversation's event list, the IP's opened set ("" for none), then the counters.
# ARGV: the conversation id, the new-conversation limit, its window, then (limit, window) per counter.
# Returns {0} when let through (and counted), {1, i} when counter i is full, {2} when the IP
# opened too many conversations.
_ADMIT = """
local counters = #KEYS - 2
for i = 1, counters do
  if tonumber(redis.call('GET', KEYS[2 + i]) or '0') >= tonumber(ARGV[2 + 2 * i]) then return {1, i} end
end
local opening = KEYS[2] ~= '' and redis.call('EXISTS', KEYS[1]) == 0
  and redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 0
if opening then
  if redis.call('SCARD', KEYS[2]) >= tonumber(ARGV[2]) then return {2} end
  redis.call('SADD', KEYS[2], ARGV[1])
  redis.call('EXPIRE', KEYS[2], ARGV[3])
end
for i = 1, counters do
  redis.call('INCR', KEYS[2 + i])
  redis.call('EXPIRE', KEYS[2 + i], ARGV[3 + 2 * i])
end
return {0}
"""


@dataclass(frozen=True)
class Refusal:
    """Why a message was not let through, and in how many seconds to try again."""

    code: str  # "conversation_rate", "ip_rate", "psid_rate" or "new_conversations"
    retry_after: int


@dataclass(frozen=True)
class _Counter:
    scope: str
    subject: str
    limit: int
    window: int


class RateLimits:
    """``message`` (widget, REST), ``opening`` (widget ``session_request``), ``psid_message``
    (Messenger) and ``first_refusal`` (tell a client once per window)."""

    def __init__(self, client: Any, limits: Limits, tracker_prefix: str = TRACKER_PREFIX) -> None:
        self._redis = client
        self._limits = limits
        self._keys = LimitKeys(tracker_prefix)
        self._tracker = TrackerKeys(tracker_prefix)
        self._admit = client.register_script(_ADMIT)

    async def message(self, ip: str, conversation_id: str, may_open: bool = False,
                      now: float | None = None) -> Refusal | None:
        """A customer message of ``conversation_id`` from ``ip``; with ``may_open`` (REST, where
        the first message opens the conversation) a new conversation also counts for the IP."""
        counters = [_Counter("conversation_rate", conversation_id, self._limits.conversation_per_minute, MINUTE)]
        if ip:
            counters.append(_Counter("ip_rate", ip, self._limits.ip_per_minute, MINUTE))
        return await self._check(counters, conversation_id, ip if may_open else "", now)

    async def opening(self, ip: str, conversation_id: str, now: float | None = None) -> Refusal | None:
        """A widget asks for ``conversation_id``: new ones count against the IP's hourly cap."""
        return await self._check([], conversation_id, ip, now)

    async def psid_message(self, psid: str, now: float | None = None) -> Refusal | None:
        counters = [_Counter("psid_rate", psid, self._limits.psid_per_minute, MINUTE)]
        return await self._check(counters, "", "", now)

    async def first_refusal(self, refusal: Refusal, subject: str, now: float | None = None) -> bool:
        """True once per refusal window and subject: whether to tell the client (Messenger)."""
        now = time.time() if now is None else now
        key = self._keys.told(refusal.code, subject, int(now // MINUTE))
        return bool(await self._redis.set(key, "1", nx=True, ex=MINUTE + refusal.retry_after))

    async def _check(self, counters: list[_Counter], conversation_id: str, ip: str,
                     now: float | None) -> Refusal | None:
        now = time.time() if now is None else now
        opened = self._keys.opened(ip, int(now // HOUR)) if ip else ""
        keys = [self._tracker.events(conversation_id) if conversation_id else "", opened]
        keys += [self._keys.count(c.scope, c.subject, int(now // c.window)) for c in counters]
        args: list[Any] = [conversation_id, self._limits.new_conversations_per_ip_per_hour, HOUR]
        for c in counters:
            args += [c.limit, c.window]
        result = [int(x) for x in await self._admit(keys=keys, args=args)]
        if result[0] == 0:
            return None
        if result[0] == 2:
            return Refusal("new_conversations", _until_next(now, HOUR))
        counter = counters[result[1] - 1]
        return Refusal(counter.scope, _until_next(now, counter.window))



def _until_next(now: float, window: int) -> int:
    return max(1, math.ceil((now // window + 1) * window - now))


class LazyRateLimits:
    """A channel's ``RateLimits``, its Redis client made on first use (inside Rasa's event loop)."""

    def __init__(self, redis: RedisConfig, limits: Limits, tracker_prefix: str = TRACKER_PREFIX) -> None:
        self._redis = redis
        self._prefix = tracker_prefix
        self._settings = limits
        self._limits: RateLimits | None = None

    def get(self) -> RateLimits:
        if self._limits is None:
            client = async_client(self._redis, socket_timeout=5, socket_connect_timeout=5)
            self._limits = RateLimits(client, self._settings, self._prefix)
        return self._limits


def channel_limits(credentials: dict[str, Any], limits: Limits, where: str) -> LazyRateLimits:
    """From a channel's ``redis_*`` keys and ``tracker_key_prefix`` in credentials.yml."""
    prefix = str(credentials.get("tracker_key_prefix") or TRACKER_PREFIX)
    return LazyRateLimits(RedisConfig.from_options(credentials, "redis_", where), limits, prefix)

