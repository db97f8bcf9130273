"""The few calls the handoff service makes to Rasa's HTTP API."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import aiohttp

TIMEOUT_SECONDS = 10.0


class RasaError(RuntimeError):
    pass


class RasaClient:
    def __init__(self, session: aiohttp.ClientSession, base_url: str, token: str) -> None:
        self._session = session
        self._base = base_url.rstrip("/")
        self._token = token

    async def push_events(self, conversation_id: str, events: list[dict[str, Any]]) -> None:
        """Append events and deliver bot messages to the customer's channel (the latest one used)."""
        url = f"{self._base}/conversations/{quote(conversation_id, safe='')}/tracker/events"
        params = {"execute_side_effects": "true", "output_channel": "latest"}
        timeout = aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)
        # the token in a header, not the URL (which access logs keep): bot.rasa_side.patches.api_token
        headers = {"Authorization": f"Bearer {self._token}"}
        async with self._session.post(url, params=params, json=events, headers=headers, timeout=timeout) as response:
            if response.status != 200:
                detail = (await response.text())[:300]
                raise RasaError(f"Rasa answered {response.status} for {conversation_id}: {detail}")
