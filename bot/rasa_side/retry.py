"""Waiting out a Redis that is briefly away (a restart, or a failover to its replica).

Used by the Rasa-side stores (``bot/rasa_side/stores.py``, ``bot/rasa_side/locks.py``): a message in flight
during a Redis restart is stored late rather than refused.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bot.rasa_side.metrics import redis_error

logger = logging.getLogger(__name__)

T = TypeVar("T")
# 15 s in all: a restart takes well under a second; a Sentinel failover takes down-after-milliseconds
# (README, "Deploy": 5 s) plus an election of a second or two
ATTEMPTS, RETRY_SECONDS = 60, 0.25


async def with_retries(call: Callable[[], Awaitable[T]], what: str) -> T:
    """``call``, again after ``RETRY_SECONDS`` while Redis cannot be reached, ``ATTEMPTS`` times at most."""
    for attempt in range(ATTEMPTS):
        try:
            return await call()
        except (RedisConnectionError, RedisTimeoutError):
            redis_error(what.split(" ", 1)[0])  # "saving <id>" counts as "saving": labels stay few
            if attempt == ATTEMPTS - 1:
                raise
            logger.warning("Redis unavailable (%s); retrying", what)
            await asyncio.sleep(RETRY_SECONDS)
    raise AssertionError("unreachable")
