"""Run by the Rasa venv's Python (see test_locks.py): bot.rasa_side.locks against Rasa 3.6 and a real Redis.

Two lock stores stand for two Rasa servers. Prints one JSON object of named results; argv[1]
is the Redis URL (password, TLS: ops.processes.RedisServer.url)."""

import asyncio
import json
import os
import sys
import time

from rasa.core.lock_store import LockError
from rasa.utils.endpoints import EndpointConfig

from bot.core.redis_clients import sync_client
from bot.core.redis_config import RedisConfig
from bot.rasa_side.locks import RedisLockStore


async def main(url: str) -> dict[str, object]:
    connection = RedisConfig.from_env({**os.environ, "REDIS_URL": url}, url)  # REDIS_SENTINELS too, when set
    red = sync_client(connection, decode_responses=True)
    red.flushdb()
    options = connection.endpoint_options()
    # as Rasa creates it from endpoints.yml (values as strings), and directly
    config = EndpointConfig(url=options.pop("host"), **{k: str(v) for k, v in options.items()}, key_prefix="t",
                            type="bot.rasa_side.locks.RedisLockStore")
    servers = [RedisLockStore(endpoint_config=config), RedisLockStore(**connection.endpoint_options(), key_prefix="t")]
    inside, most_inside, order = 0, 0, []

    async def message(n: int) -> None:
        nonlocal inside, most_inside
        await asyncio.sleep(0.005 * n)  # arrive in order n, 5 ms apart, while earlier ones are processed
        async with servers[n % 2].lock("web:c"):
            inside += 1
            most_inside = max(most_inside, inside)
            order.append(n)
            await asyncio.sleep(0.02)
            inside -= 1

    for server in servers:  # connections and scripts ready, so arrival order is the order of n
        async with server.lock("web:warm"):
            pass

    started = time.monotonic()
    await asyncio.gather(*(message(n) for n in range(20)))
    elapsed = time.monotonic() - started
    keys_left = sorted(red.keys("t:lock:*"))

    # a server that died holding the lock: its ticket expires after the lifetime
    _, state = await servers[0].take("web:dead", None, lifetime=0.3)
    waited = time.monotonic()
    async with servers[1].lock("web:dead", lock_lifetime=5):
        waited = time.monotonic() - waited

    # a waiting message whose own ticket expires gets a LockError, as in Rasa
    expired = False
    await servers[0].take("web:slow", None, lifetime=5)
    try:
        async with servers[1].lock("web:slow", lock_lifetime=0.2):
            pass
    except LockError:
        expired = True
    return {
        "order": order, "most_inside": most_inside, "elapsed": round(elapsed, 3), "keys_left": keys_left,
        "first_state": state, "waited_for_dead": round(waited, 3), "expired_raises": expired,
    }


print(json.dumps(asyncio.run(main(sys.argv[1]))))
