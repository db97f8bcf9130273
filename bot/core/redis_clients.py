"""Redis clients for a ``RedisConfig``: one Redis, or the master its Sentinels name.

Every process builds its clients here, so a replicated Redis (``REDIS_SENTINELS``) is followed
through a failover everywhere alike: a Sentinel-managed connection pool asks the Sentinels for the
master before each new connection, and drops connections to a master that was demoted (redis-py's
``SentinelManagedConnection`` turns READONLY into a connection error). Callers keep their own
retries (``bot.rasa_side.retry``, the handoff service's loops), which ride out the seconds of a failover.

``replicated_write`` is the ``WAIT`` for writes that matter (an accepted customer message, a
moderator's reply): the caller hears back only once a replica holds it too, so a SIGKILLed master
loses nothing that was acknowledged. Works with redis-py 4.6 (the Rasa venv) and 8.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import redis
import redis.asyncio as aioredis
from prometheus_client import Counter
from redis.asyncio.sentinel import Sentinel as AsyncSentinel
from redis.sentinel import Sentinel

from bot.core import keys
from bot.core.redis_config import RedisConfig

logger = logging.getLogger(__name__)


def async_client(config: RedisConfig, **options: Any) -> aioredis.Redis:
    """An asyncio client (``options``: ``decode_responses``, ``socket_timeout``… as redis-py's)."""
    if not config.replicated:
        return aioredis.Redis(**config.client_kwargs(), **options)
    sentinel = AsyncSentinel(list(config.sentinels), sentinel_kwargs=config.sentinel_kwargs())  # type: ignore[no-untyped-call]
    client: aioredis.Redis = sentinel.master_for(config.sentinel_master, **_master_kwargs(config, options))
    return client


def sync_client(config: RedisConfig, **options: Any) -> redis.Redis:
    """A blocking client, for tools and tests (never on an event loop)."""
    if not config.replicated:
        return redis.Redis(**config.client_kwargs(), **options)
    sentinel = Sentinel(list(config.sentinels), sentinel_kwargs=config.sentinel_kwargs())  # type: ignore[no-untyped-call]
    client: redis.Redis = sentinel.master_for(  # type: ignore[no-untyped-call]
        config.sentinel_master, **_master_kwargs(config, options))
    return client


def _master_kwargs(config: RedisConfig, options: dict[str, Any]) -> dict[str, Any]:
    """The connection's settings without an address: the Sentinels give it."""
    return {k: v for k, v in {**config.client_kwargs(), **options}.items() if k not in ("host", "port")}


async def close(client: aioredis.Redis) -> None:
    """Close ``client``, its pool and, through Sentinels, its connections to them (a pool given to
    redis-py's client is not its own to close)."""
    closer = getattr(client, "aclose", None) or client.close  # aclose: redis-py 5+; close in 4.6
    await closer()
    await client.connection_pool.disconnect()
    for sentinel in getattr(getattr(client.connection_pool, "sentinel_manager", None), "sentinels", ()):
        await (getattr(sentinel, "aclose", None) or sentinel.close)()
        await sentinel.connection_pool.disconnect()


def why_unreachable(config: RedisConfig, error: BaseException) -> str:
    """What an operator should check when Redis did not answer, naming the settings (never the
    password): /ready's reason, and so what a unit waiting for it shows."""
    if config.replicated and type(error).__name__ == "MasterNotFoundError":
        return (f"redis unreachable: the Sentinels in REDIS_SENTINELS ({config.sentinel_list()}) name no master "
                f"{config.sentinel_master!r} (REDIS_SENTINEL_MASTER), or none of them answers")
    if config.replicated:  # slow Sentinels time out before they can say so
        return (f"redis unreachable ({type(error).__name__}) through the Sentinels in REDIS_SENTINELS "
                f"({config.sentinel_list()}), master {config.sentinel_master!r} (REDIS_SENTINEL_MASTER): check "
                "that they answer and name that master, and REDIS_URL's password")
    return f"redis unreachable ({type(error).__name__}) at {config.shown()}: check REDIS_URL"


WAIT_TIMEOUT_MS = 1000  # longer than a healthy replica's lag on any LAN; a slower one is logged
DEGRADED_SECONDS = 10.0  # after a short WAIT, writes do not wait again for this long
# Each process that makes such writes (Rasa, the handoff service) exports it: the alert
# VoltaWritesUnreplicated (ops/prometheus/alerts.yml) tells that a master's loss would now lose writes.
UNREPLICATED_WRITES = Counter(
    "volta_redis_unreplicated_writes",
    "Writes that matter acknowledged with fewer replicas holding them than REDIS_WAIT_REPLICAS asks")


class _Replication:
    """Whether the replicas were lately too few: then writes go on without waiting (each would
    wait the whole timeout while a replica is down, for hours perhaps) and WAIT is tried again
    after ``DEGRADED_SECONDS``. One per process: all its clients reach the same Redis."""

    skip_until = 0.0


async def replicated_write(client: aioredis.Redis, replicas: int, timeout_ms: int = WAIT_TIMEOUT_MS) -> int:
    """Wait until ``replicas`` replicas hold every write this process made before the call
    (0: return at once). Returns how many acknowledged (-1: not asked, the replicas being lately
    too few). Fewer than asked is logged, not raised: the write is on the master's disk
    (``appendfsync always``) and is lost only if the master dies, or is cut off and demoted,
    before a replica catches up; while that lasts (a replica down), writes are acknowledged
    without waiting and logged once each ``DEGRADED_SECONDS``. Each such write is counted in
    ``UNREPLICATED_WRITES``.

    ``WAIT`` counts the writes of its own connection, and a pooled client may have written on
    another one; so a write on this connection (a counter) goes first: replication is one ordered
    stream, and a replica that holds this write holds every earlier one."""
    if replicas <= 0:
        return 0
    if time.monotonic() < _Replication.skip_until:
        UNREPLICATED_WRITES.inc()
        return -1
    async with client.pipeline(transaction=False) as pipe:
        pipe.incr(keys.REPLICATION_PROBE)
        pipe.execute_command("WAIT", replicas, timeout_ms)
        _, acknowledged = await pipe.execute()
    if int(acknowledged) < replicas:
        UNREPLICATED_WRITES.inc()
        _Replication.skip_until = time.monotonic() + DEGRADED_SECONDS
        logger.warning("only %s of %d Redis replicas acknowledged a write within %d ms: writes are acknowledged "
                       "on the master alone for the next %.0f s", acknowledged, replicas, timeout_ms,
                       DEGRADED_SECONDS)
    return int(acknowledged)
