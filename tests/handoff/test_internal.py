"""``/internal``: the conversation id and the customer's name are checked before any Redis key is
built from them (``bot.core.conversation_ids``); a refused request leaves Redis as it was."""

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient

from bot.core import keys
from handoff.internal import MAX_NAME_CHARS
from tests.handoff.conftest import SERVICE_TOKEN

SERVICE = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
GOOD_IDS = ["web:0b9f3c4e-2d1a-4f6b-9c8d-7e6f5a4b3c2d", "messenger:2718281828459045", "inj-rest_1.a", "R" * 64]
BAD_IDS = [
    "", "web:1", "web:0B9F3C4E-2D1A-4F6B-9C8D-7E6F5A4B3C2D", "web:0b9f3c4e-2d1a-1f6b-9c8d-7e6f5a4b3c2d",
    "messenger:", "messenger:12ab", "chat-1:tickets", "web:0b9f3c4e-2d1a-4f6b-9c8d-7e6f5a4b3c2d:tickets",
    "R" * 65, "a b", "../a", "zażółć", "x\n", "*",
]


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.from_url(redis_url, decode_responses=True)
    yield client
    await client.aclose()


async def ask(client: TestClient, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    response = await client.post("/internal/tickets", headers=SERVICE, json=body)
    return response.status, await response.json()


async def handoff_keys(redis: aioredis.Redis) -> list[str]:
    """Every key of the handoff service except the accounts the app fixture made."""
    return sorted(k for k in await redis.keys(f"{keys.PREFIX}:*") if not k.startswith(f"{keys.PREFIX}:user"))


async def test_every_channels_id_opens_a_ticket_and_has_an_owner(app_client: TestClient) -> None:
    for conversation in GOOD_IDS:
        status, body = await ask(app_client, {"conversation_id": conversation, "reasons": ["human_request"]})
        assert status == 201, body
        owner = await app_client.get(f"/internal/conversations/{quote(conversation, safe=':')}", headers=SERVICE)
        assert (owner.status, await owner.json()) == (200, {"owner": "queue", "ticket": body["ticket"]})


@pytest.mark.parametrize("conversation", [*BAD_IDS, 7, None, ["web:1"]])
async def test_a_bad_conversation_id_is_400_naming_it_and_nothing_is_stored(
        app_client: TestClient, redis: aioredis.Redis, conversation: Any) -> None:
    status, body = await ask(app_client, {"conversation_id": conversation, "reasons": ["human_request"]})
    assert status == 400 and body["error"].startswith("conversation_id: invalid conversation id"), body
    assert await handoff_keys(redis) == []


@pytest.mark.parametrize("conversation", [c for c in BAD_IDS if c])
async def test_an_owner_lookup_with_a_bad_id_is_400_naming_it(app_client: TestClient, redis: aioredis.Redis,
                                                              conversation: str) -> None:
    response = await app_client.get(f"/internal/conversations/{quote(conversation, safe='')}", headers=SERVICE)
    body = await response.json()
    assert response.status == 400 and body["error"].startswith("conversation_id: invalid conversation id"), body
    assert await handoff_keys(redis) == []


async def test_a_name_longer_than_the_limit_is_400_naming_it_and_nothing_is_stored(
        app_client: TestClient, redis: aioredis.Redis) -> None:
    conversation = GOOD_IDS[2]
    status, body = await ask(app_client, {"conversation_id": conversation, "customer_name": "Z" * (MAX_NAME_CHARS + 1)})
    assert status == 400 and body["error"].startswith("customer_name must be"), body
    assert await handoff_keys(redis) == []
    status, body = await ask(app_client, {"conversation_id": conversation, "customer_name": "Z" * MAX_NAME_CHARS})
    assert status == 201 and await redis.hget(keys.ticket(body["ticket"]), "customer_name") == "Z" * MAX_NAME_CHARS
