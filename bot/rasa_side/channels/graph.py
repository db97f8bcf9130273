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
# A typing indicator or "seen" is worth one quick try: late, it would only confuse the customer.
SENDER_ACTION_TIMEOUT_SECONDS = 3.0
PROFILE_TIMEOUT_SECONDS = 5.0
MAX_PROFILE_BYTES = 16 * 1024  # a profile of three fields is well under 1 KB

FailureHook = Callable[[str, dict[str, Any], str], Awaitable[None]]


class SendError(RuntimeError):
    pass


def _transient(status: int) -> bool:
    return status == 429 or status >= 500


class GraphClient:
    def __init__(self, base_url: str, page_access_token: str, on_failure: FailureHook | None = None,
                 backoff: Sequence[float] = BACKOFF_SECONDS, timeout: float = TIMEOUT_SECONDS) -> None:
        self._base = base_url.rstrip("/")
        self._url = self._base + "/me/messages"
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

    async def sender_action(self, psid: str, action: str) -> bool:
        """``mark_seen``, ``typing_on`` or ``typing_off``: one attempt, failures only logged."""
        body = {"recipient": {"id": psid}, "sender_action": action}
        timeout = aiohttp.ClientTimeout(total=SENDER_ACTION_TIMEOUT_SECONDS)
        try:
            async with self._client().post(self._url, params={"access_token": self._token}, json=body,
                                           timeout=timeout) as r:
                if r.status < 300:
                    return True
                logger.info("sender action %s to %s refused: HTTP %d %s", action, psid, r.status,
                            (await r.text())[:200])
        except (aiohttp.ClientError, asyncio.TimeoutError) as e:
            logger.info("sender action %s to %s failed: %s", action, psid, type(e).__name__)
        return False

    async def profile(self, psid: str, fields: str) -> tuple[int, bytes]:
        """``GET /{psid}?fields=...``: the HTTP status and at most ``MAX_PROFILE_BYTES`` of the body.
        Network errors and timeouts raise (aiohttp.ClientError, asyncio.TimeoutError)."""
        timeout = aiohttp.ClientTimeout(total=PROFILE_TIMEOUT_SECONDS)
        params = {"fields": fields, "access_token": self._token}
        async with self._client().get(f"{self._base}/{psid}", params=params, timeout=timeout) as r:
            return r.status, await r.content.read(MAX_PROFILE_BYTES + 1)

    async def send(self, psid: str, message: dict[str, Any], fields: dict[str, str]) -> bool:
        """Send one message; True when the Graph API accepted it."""
        return await self._post(self._url, {"recipient": {"id": psid}, "message": message, **fields}, psid)

    async def reply_privately(self, comment_id: str, message: dict[str, Any]) -> bool:
        """Meta's private reply to a comment: one message in the commenter's Messenger inbox."""
        body = {"recipient": {"comment_id": comment_id}, "message": message, "messaging_type": "RESPONSE"}
        return await self._post(self._url, body, f"comment:{comment_id}")

    async def reply_publicly(self, comment_id: str, text: str) -> bool:
        """A public reply under a comment (``POST /{comment-id}/comments``)."""
        return await self._post(f"{self._base}/{comment_id}/comments", {"message": text}, f"comment:{comment_id}")

    async def _post(self, url: str, body: dict[str, Any], psid: str) -> bool:
        error = "not sent"
        for attempt in range(len(self._backoff) + 1):
            if attempt:
                await asyncio.sleep(self._backoff[attempt - 1])
            try:
                async with self._client().post(url, params={"access_token": self._token}, json=body) as r:
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
