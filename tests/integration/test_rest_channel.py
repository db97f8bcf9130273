"""The REST channel's boundary (bot/rasa_side/channels/rest.py) on the real Rasa server."""

from __future__ import annotations

import uuid
from typing import Any

import aiohttp
import pytest

from bot.rasa_side.settings import CONVERSATION_PER_MINUTE, MAX_MESSAGE_CHARS
from tests.stack import Stack

pytestmark = pytest.mark.integration


async def rest(stack: Stack, body: Any, headers: dict[str, str] | None = None) -> tuple[int, Any, dict[str, str]]:
    url = f"{stack.rasa_url}/webhooks/rest/webhook"
    async with aiohttp.ClientSession() as http, http.post(url, json=body, headers=headers or {}) as r:
        return r.status, await r.json(content_type=None), dict(r.headers)


async def user_events(stack: Stack, conversation_id: str) -> list[dict[str, Any]]:
    url = f"{stack.rasa_url}/conversations/{conversation_id}/tracker"
    async with aiohttp.ClientSession() as http, http.get(url, params={"token": stack.token}) as r:
        return [e for e in (await r.json())["events"] if e["event"] == "user"]


def client_part(metadata: dict[str, Any]) -> dict[str, Any]:
    """A user event's metadata without what Rasa adds itself."""
    return {k: v for k, v in metadata.items() if k not in ("model_id", "assistant_id")}


@pytest.mark.parametrize("sender", ["messenger:1234567890", f"web:{uuid.uuid4()}", "t1:tickets", "a b", "x" * 65,
                                    "", None, 7])
async def test_ids_of_other_channels_and_odd_ids_are_refused(stack: Stack, sender: Any) -> None:
    status, body, _ = await rest(stack, {"sender": sender, "message": "Jak zwrócić produkt?"})
    assert status == 400
    assert "sender must be" in body["error"]
    if isinstance(sender, str) and sender.startswith(("messenger:", "web:")):
        assert await user_events(stack, sender) == []


async def test_an_oversized_message_is_refused(stack: Stack) -> None:
    sender = f"rest-{uuid.uuid4().hex[:8]}"
    status, body, _ = await rest(stack, {"sender": sender, "message": "a" * (MAX_MESSAGE_CHARS + 1)})
    assert status == 413 and "longer than" in body["error"]
    assert await user_events(stack, sender) == []


async def test_client_metadata_is_reduced_and_the_ip_is_the_servers(stack: Stack) -> None:
    sender = f"rest-{uuid.uuid4().hex[:8]}"
    metadata = {"customer_name": "Mallory", "client_ip": "127.0.0.9", "lang": "pl", "page": "ftp://x"}
    status, _, _ = await rest(stack, {"sender": sender, "message": "Jak zwrócić produkt?", "metadata": metadata},
                              {"X-Forwarded-For": "203.0.113.77"})
    assert status == 200
    stored = [client_part(e["metadata"]) for e in await user_events(stack, sender)]
    assert stored == [{"client_ip": "203.0.113.77", "lang": "pl"}]


async def test_a_conversation_over_its_rate_gets_429_and_the_message_is_not_stored(stack: Stack) -> None:
    sender = f"rest-{uuid.uuid4().hex[:8]}"
    answers = []
    for i in range(2 * CONVERSATION_PER_MINUTE + 1):  # at most twice the limit passes across a window's edge
        status, body, headers = await rest(stack, {"sender": sender, "message": f"hej {i}"})
        answers.append(status)
        if status == 429:
            break
    assert answers[-1] == 429, answers
    assert body["code"] == "conversation_rate" and 1 <= int(headers["Retry-After"]) <= 60
    stored = [e["text"] for e in await user_events(stack, sender)]
    assert len(stored) == len(answers) - 1 and f"hej {len(answers) - 1}" not in stored
