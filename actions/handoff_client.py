"""The action server's calls to the handoff service: open a ticket, ask who owns a conversation.

Its address and key come from the action server's settings (``actions.settings``: ``HANDOFF_URL``,
``HANDOFF_SERVICE_TOKEN``), given at start. Calls have short timeouts and one retry; if the
handoff service cannot be reached the caller gets None and the customer is given the
contact details instead, so a handoff never leaves them without an answer.
"""

from __future__ import annotations

import asyncio
import logging
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import aiohttp

logger = logging.getLogger(__name__)
TIMEOUT = aiohttp.ClientTimeout(total=3.0)
ATTEMPTS = 2
REFUSED_TOO_MANY_OPEN = "too_many_open"


class HandoffClient:
    def __init__(self, base_url: str | None = None, token: str | None = None) -> None:
        self._base = base_url
        self._token = token
        self._session: aiohttp.ClientSession | None = None

    def configure(self, base_url: str, token: str) -> None:
        self._base, self._token = base_url.rstrip("/"), token

    async def _request(self, method: str, path: str, payload: dict[str, Any] | None = None) -> dict[str, Any] | None:
        base, token = self._base, self._token
        if not base or not token:
            logger.error("the handoff client has no address or key (python -m actions gives them at start)")
            return None
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=TIMEOUT)
        headers = {"Authorization": f"Bearer {token}"}
        for attempt in range(ATTEMPTS):
            try:
                async with self._session.request(method, base + path, json=payload, headers=headers) as response:
                    if response.status < 300:
                        data: dict[str, Any] = await response.json()
                        return data
                    if response.status == HTTPStatus.TOO_MANY_REQUESTS:
                        logger.info("handoff service refused %s %s: too many open tickets", method, path)
                        return {"refused": REFUSED_TOO_MANY_OPEN}
                    logger.warning("handoff service answered %s to %s %s", response.status, method, path)
                    return None
            except (aiohttp.ClientError, asyncio.TimeoutError) as e:
                logger.warning("handoff service unreachable (attempt %d): %s", attempt + 1, e)
        return None

    async def open_ticket(self, conversation_id: str, lang: str, reasons: list[str], evidence: list[dict[str, Any]],
                          customer_name: str = "", client_ip: str = "", exchanges: int = 0) -> dict[str, Any] | None:
        """``{"ticket", "created", "handoff": {"state", "position", "expected_wait_minutes", ...}}``,
        ``{"refused": "too_many_open"}`` when the customer's address has its share of open tickets
        (429), or None when the service cannot be reached."""
        return await self._request("POST", "/internal/tickets", {
            "conversation_id": conversation_id, "lang": lang, "reasons": reasons, "evidence": evidence,
            "customer_name": customer_name, "client_ip": client_ip, "exchanges": exchanges})

    async def rate(self, conversation_id: str, ticket: str, score: int, comment: str = "") -> dict[str, Any] | None:
        """Store the customer's 1-5 (and comment) for a resolved ticket; None when refused or unreachable."""
        return await self._request("POST", "/internal/ratings", {
            "conversation_id": conversation_id, "ticket": ticket, "score": score, "comment": comment})

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def owner(self, conversation_id: str) -> str | None:
        """``bot``, ``queue`` or ``moderator``; None when the service cannot say."""
        data = await self._request("GET", f"/internal/conversations/{quote(conversation_id, safe='')}")
        return str(data["owner"]) if data else None


default_client = HandoffClient()
