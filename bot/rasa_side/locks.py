"""Rasa lock store for this product (runs inside the Rasa server, Python 3.10).

``endpoints.yml`` names it as ``type: bot.rasa_side.locks.RedisLockStore``. Rasa processes the messages
of one conversation one at a time, in order, through a ticket lock. Rasa's own Redis lock
store reads the lock, changes it in Python and writes it back: two Rasa servers that take a
ticket at the same moment can both get the same number and process one conversation at
once, and a waiting message polls once a second. Here:

- taking a ticket, dropping expired tickets and checking whose turn it is are one Lua script
  (atomic across any number of Rasa servers), one round trip;
- a waiting message looks again after 5 ms, backing off to 20 ms;
- a ticket expires ``lifetime`` seconds after it was taken (Rasa's rule), so a server that
  died holding the lock holds up its conversation for at most that long;
- a Redis that is briefly away (a restart) is waited for, as the tracker store does.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore

from bot.core.keys import TRACKER_PREFIX, TrackerKeys
from bot.core.redis_clients import async_client
from bot.core.redis_config import RedisConfig
from bot.rasa_side.retry import with_retries

logger = logging.getLogger(__name__)

FIRST_WAIT_SECONDS, MAX_WAIT_SECONDS = 0.005, 0.02

# KEYS: queue (sorted set of tickets), expiry (hash ticket -> ms), counter.
# ARGV: ticket ("" takes a new one), lifetime in ms.
# Returns {ticket, state}: 1 = this ticket's turn, 0 = wait, -1 = this ticket expired.
_TAKE = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local lifetime = tonumber(ARGV[2])
local ticket = ARGV[1]
if ticket == '' then
  ticket = tostring(redis.call('INCR', KEYS[3]))
  redis.call('ZADD', KEYS[1], tonumber(ticket), ticket)
  redis.call('HSET', KEYS[2], ticket, now_ms + lifetime)
end
for _, key in ipairs(KEYS) do redis.call('PEXPIRE', key, lifetime * 2) end
local head = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
while head do
  local expires = tonumber(redis.call('HGET', KEYS[2], head) or '0')
  if expires > now_ms then break end
  redis.call('ZREM', KEYS[1], head)
  redis.call('HDEL', KEYS[2], head)
  if head == ticket then return {tonumber(ticket), -1} end
  head = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
end
if head == ticket then return {tonumber(ticket), 1} end
if not redis.call('HGET', KEYS[2], ticket) then return {tonumber(ticket), -1} end
return {tonumber(ticket), 0}
"""

# KEYS: queue, expiry, counter. ARGV: ticket. The keys go when nobody is left.
_RELEASE = """
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
if redis.call('ZCARD', KEYS[1]) == 0 then redis.call('DEL', KEYS[1], KEYS[2], KEYS[3]) end
return 1
"""


class RedisLockStore(LockStore):
    def __init__(self, endpoint_config: Any = None, host: str = "localhost", port: int | str = 6379,
                 db: int | str = 0, password: str | None = None, key_prefix: str = TRACKER_PREFIX,
                 **options: Any) -> None:
        """``options``: ``username``, ``use_ssl``, ``ssl_ca_certs``, ``ssl_certfile``, ``ssl_keyfile``
        (Rasa's names, as endpoints.yml gives them)."""
        options = {**options, "host": host, "port": port, "db": db, "password": password}
        if endpoint_config is not None:  # how Rasa creates a lock store named by module path
            options.update(endpoint_config.kwargs or {}, host=endpoint_config.url or host)
            key_prefix = options.get("key_prefix", key_prefix)
        connection = RedisConfig.from_options(options, where="lock_store (endpoints.yml)")
        self.red = async_client(connection, decode_responses=True, socket_timeout=10)
        self.key_names = TrackerKeys(key_prefix)
        self._take = self.red.register_script(_TAKE)
        self._release = self.red.register_script(_RELEASE)
        super().__init__()

    async def take(self, conversation_id: str, ticket: int | None, lifetime: float) -> tuple[int, int]:
        """Take a ticket (``ticket`` None) or look again at one: (ticket, 1 go / 0 wait / -1 expired)."""
        keys = self.key_names.lock(conversation_id)
        args: list[str | int] = ["" if ticket is None else str(ticket), int(lifetime * 1000)]
        number, state = await with_retries(lambda: self._take(keys=keys, args=args), "lock")
        return int(number), int(state)

    async def release(self, conversation_id: str, ticket: int) -> None:
        keys = self.key_names.lock(conversation_id)
        await with_retries(lambda: self._release(keys=keys, args=[ticket]), "unlock")

    @asynccontextmanager
    async def lock(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = 1) -> AsyncGenerator[TicketLock, None]:
        """Hold ``conversation_id`` until the block ends (``wait_time_in_seconds`` is Rasa's
        polling interval, which this store does not need)."""
        try:
            ticket, state = await self.take(conversation_id, None, lock_lifetime)
        except Exception as exc:
            raise LockError(f"Error while acquiring lock. Error:\n{exc}") from exc
        try:
            wait = FIRST_WAIT_SECONDS
            while state == 0:
                await asyncio.sleep(wait)
                wait = min(wait * 2, MAX_WAIT_SECONDS)
                _, state = await self.take(conversation_id, ticket, lock_lifetime)
            if state < 0:
                raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
            yield TicketLock(conversation_id)
        finally:
            await self.release(conversation_id, ticket)

    # Rasa's synchronous interface: nothing in Rasa 3.6 calls it once ``lock`` is replaced.
    def get_lock(self, conversation_id: str) -> TicketLock | None:
        raise NotImplementedError("bot.rasa_side.locks.RedisLockStore only supports lock()")

    def delete_lock(self, conversation_id: str) -> None:
        raise NotImplementedError("bot.rasa_side.locks.RedisLockStore only supports lock()")

    def save_lock(self, lock: TicketLock) -> None:
        raise NotImplementedError("bot.rasa_side.locks.RedisLockStore only supports lock()")
