"""Run by the Rasa venv's Python (see test_redis_tls.py): the Rasa side's Redis connections
(socket.io manager, Messenger inbox, tracker and lock stores) over rediss:// with an ACL user,
as credentials.yml and endpoints.yml give them. Prints one JSON object of named results.

argv: the good URL, the same with a wrong password, plain redis:// to the TLS port."""

import asyncio
import json
import sys
import time

from bot.core.redis_config import RedisConfig
from bot.rasa_side.channels.messenger import MessengerInput
from bot.rasa_side.channels.webchat import redis_manager
from bot.rasa_side.stores import RedisTrackerStore

DEADLINE_SECONDS = 20


def credentials(config: RedisConfig) -> dict[str, str]:
    """credentials.yml's redis_* keys, strings as Rasa reads them."""
    return {f"redis_{key}": str(value) for key, value in config.endpoint_options().items()}


async def manager_roundtrip(config: RedisConfig) -> bool:
    """A push published by one server's manager reaches a listening one (what every emit does)."""
    listener, publisher = redis_manager(credentials(config)), redis_manager(credentials(config))
    received: asyncio.Queue = asyncio.Queue()

    async def listen() -> None:
        async for message in listener._listen():
            await received.put(message)

    task = asyncio.create_task(listen())
    deadline = time.monotonic() + DEADLINE_SECONDS
    try:
        while time.monotonic() < deadline:  # publish until the subscription is in place
            await publisher._publish({"method": "emit", "event": "bot_uttered"})
            try:
                return (await asyncio.wait_for(received.get(), 0.2)) == {"method": "emit", "event": "bot_uttered"}
            except asyncio.TimeoutError:
                continue
        return False
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def messenger_inbox_whoami(config: RedisConfig) -> str:
    """Who the Messenger inbox's connection is logged in as."""
    channel = MessengerInput.from_credentials({**credentials(config), "consumer": "tls-test"})
    return str(await channel.inbox()._redis.execute_command("ACL", "WHOAMI"), "utf-8")


async def failure(url: str) -> str:
    """The error a tracker store made from ``url`` (as endpoints.yml gives it) raises: class and message."""
    options = {k: str(v) for k, v in RedisConfig.from_url(url).endpoint_options().items()}
    store = RedisTrackerStore(None, **options)
    try:
        await store.red.ping()
        return "no error"
    except Exception as exc:  # the class is the result
        return f"{exc.__class__.__name__}: {exc}"


async def main(good: str, wrong_password: str, plain: str) -> dict[str, object]:
    config = RedisConfig.from_url(good)
    return {
        "tls": config.tls,
        "manager_roundtrip": await manager_roundtrip(config),
        "messenger_inbox_user": await messenger_inbox_whoami(config),
        "wrong_password": await failure(wrong_password),
        "plain_to_tls_port": await failure(plain),
    }


print(json.dumps(asyncio.run(main(*sys.argv[1:4]))))
