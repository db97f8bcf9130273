"""Suggested answers for the moderator console, from the brain in the action server.

The console must work without them: when the action server is down, slow or
answers oddly, the client logs a warning and returns no suggestions.
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp

logger = logging.getLogger(__name__)
TIMEOUT_SECONDS = 3.0
DEFAULT_K = 3


def _suggestions(payload: Any) -> list[dict[str, Any]] | None:
    """The suggestions in a ``/suggest`` answer, None when it has the wrong shape."""
    items = payload.get("suggestions") if isinstance(payload, dict) else None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        return None
    return items


class SuggestClient:
    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self._session = session
        self._url = f"{url.rstrip('/')}/suggest"

    async def suggest(self, text: str, k: int = DEFAULT_K) -> list[dict[str, Any]]:
        """The ``k`` closest FAQ answers to ``text``; [] when the action server cannot give them."""
        timeout = aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)
        try:
            async with self._session.post(self._url, json={"text": text, "k": k}, timeout=timeout) as response:
                if response.status != 200:
                    logger.warning("no suggestions: %s answered %d", self._url, response.status)
                    return []
                payload = await response.json()
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            logger.warning("no suggestions: %s unreachable (%s)", self._url, type(exc).__name__)
            return []
        items = _suggestions(payload)
        if items is None:
            logger.warning("no suggestions: %s answered without a suggestions list", self._url)
            return []
        return items
