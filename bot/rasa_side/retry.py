"""Waiting out a Redis that is briefly away (a restart takes well under a second).

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
ATTEMPTS, RETRY_SECONDS = 20, 0.25  # 5 s in all


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
