"""``python -m handoff.admin erase-customer <conversation id>``: the erasure, from the environment.

Reads what the service reads (REDIS_URL and friends, TRACKER_KEY_PREFIX, ARCHIVE_DIR,
APPROVED_DIR, PROPOSALS_FILE) without needing the service's secrets.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Mapping

from redis.exceptions import RedisError

from bot.core import keys
from bot.core.conversation_ids import check_conversation_id
from bot.core.redis_clients import async_client
from bot.core.redis_config import RedisConfig
from bot.core.settings import SettingsError
from bot.learning.paths import Paths
from handoff.erasure import Erasure
from handoff.settings import DEFAULT_REDIS_URL

EXIT_BAD_ID = 2


async def erase_customer(conversation_id: str, environ: Mapping[str, str]) -> str:
    """One line per place with what went; ValueError naming an invalid id, before anything is touched."""
    check_conversation_id(conversation_id)
    paths = Paths.from_env(environ)
    tracker = keys.TrackerKeys(environ.get("TRACKER_KEY_PREFIX") or keys.TRACKER_PREFIX)
    client = async_client(RedisConfig.from_env(environ, DEFAULT_REDIS_URL), decode_responses=True)
    try:
        erasure = Erasure(client, tracker, keys.MessengerKeys(), paths.archive, paths.approved, paths.proposals)
        erased = await erasure.erase(conversation_id)
    finally:
        await client.aclose()
    total = sum(erased.values())
    lines = [f"erased {conversation_id}: {total} items" + ("" if total else " (nothing known about it)")]
    return "\n".join(lines + [f"  {place}\t{count}" for place, count in erased.items()])


def run(conversation_id: str, environ: Mapping[str, str]) -> int:
    """The subcommand: 0 done (also when nothing was known), 2 an invalid id, 1 Redis or the disk failed."""
    try:
        check_conversation_id(conversation_id)  # before any connection
        print(asyncio.run(erase_customer(conversation_id, environ)))
    except ValueError as e:
        print(f"handoff.admin erase-customer: {e}", file=sys.stderr)
        return EXIT_BAD_ID
    except (SettingsError, OSError, RedisError) as e:
        print(f"handoff.admin erase-customer: {e}", file=sys.stderr)
        return 1
    return 0
