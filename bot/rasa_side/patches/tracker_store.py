"""Rasa's ``FailSafeTrackerStore`` saves to memory when Redis fails, and the channel then
reports success: the message is lost when the process ends. It fails instead."""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)


async def _save_or_fail(self: Any, tracker: Any) -> None:
    """Rasa's FailSafeTrackerStore saves to memory when Redis fails, and the channel then
    reports success: the message is lost when the process ends. Fail instead, so the
    channel can say the message was not accepted (and Messenger's inbox retries it)."""
    try:
        await self._tracker_store.save(tracker)
    except Exception:
        logger.error("saving conversation %s failed; the message is refused, not kept in memory",
                     getattr(tracker, "sender_id", "?"))
        raise


def install() -> None:
    from rasa.core.tracker_store import FailSafeTrackerStore

    FailSafeTrackerStore.save = _save_or_fail  # type: ignore[method-assign]
