"""A small client of Messenger's Send API with retries.

Transient failures (network errors, timeouts, HTTP 429 and 5xx) are retried with
exponential backoff; a permanent failure (another 4xx) or the last failed attempt is
logged and handed to ``on_failure`` (the Rasa channel stores it in Redis), never dropped
in silence. The Graph API's base address is a setting, so tests run a fake on loopback.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import aiohttp

logger = logging.getLogger(__name__)

DEFAULT_GRAPH_URL = "https://graph.facebook.com/v21.0"
BACKOFF_SECONDS = (0.5, 1.0, 2.0, 4.0)  # waits between the 5 attempts
TIMEOUT_SECONDS = 10.0

FailureHook = Callable[[str, dict[str, Any], str], Awaitable[None]]


class SendError(RuntimeError):
    pass


def _transient(status: int) -> bool:
    return status == 429 or status >= 500


class GraphClient:
    def __init__(self, base_url: str, page_access_token: str, on_failure: FailureHook | None = None,
                 backoff: Sequence[float] = BACKOFF_SECONDS, timeout: float = TIMEOUT_SECONDS) -> None:
        self._url = base_url.rstrip("/") + "/me/messages"
        self._token = page_access_token
        self._on_failure = on_failure
        self._backoff = tuple(backoff)
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def send(self, psid: str, message: dict[str, Any], fields: dict[str, str]) -> bool:
        """Send one message; True when the Graph API accepted it."""
        body = {"recipient": {"id": psid}, "message": message, **fields}
        error = "not sent"
        for attempt in range(len(self._backoff) + 1):
            if attempt:
                await asyncio.sleep(self._backoff[attempt - 1])
            try:
                async with self._client().post(self._url, params={"access_token": self._token}, json=body) as r:
                    if r.status < 300:
                        return True
                    error = f"HTTP {r.status}: {(await r.text())[:500]}"
                    if not _transient(r.status):
                        break
            except (aiohttp.ClientError, asyncio.TimeoutError) as e:
                error = f"{type(e).__name__}: {e}"
            logger.warning("Send API attempt %d to %s failed: %s", attempt + 1, psid, error)
        logger.error("Send API gave up on a message to %s: %s", psid, error)
        if self._on_failure is not None:
            await self._on_failure(psid, body, error)
        return False
