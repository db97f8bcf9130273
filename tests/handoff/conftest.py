"""The handoff app against the session's real redis-server, with accounts and a signed-in client."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient

from handoff.accounts import Accounts, Role
from handoff.app import create_app
from handoff.settings import Settings

SERVICE_TOKEN = "service-token-for-tests"
PASSWORD = "correct horse battery"


def settings(redis_url: str, **changes: Any) -> Settings:
    values: dict[str, Any] = {"host": "127.0.0.1", "port": 0, "redis_url": redis_url, "rasa_token": "r" * 20,
                              "service_token": SERVICE_TOKEN, "rasa_url": "http://127.0.0.1:9",
                              "action_url": "http://127.0.0.1:9"}
    return Settings(**{**values, **changes})


class Console:
    """A signed-in moderator's HTTP client that sends the CSRF token like the console does."""

    def __init__(self, client: TestClient, csrf: str) -> None:
        self.client, self.csrf = client, csrf

    async def call(self, method: str, path: str, json: Any = None) -> tuple[int, Any]:
        response = await self.client.request(method, path, json=json, headers={"X-CSRF-Token": self.csrf})
        return response.status, await response.json()


Factory = Callable[..., Awaitable[TestClient]]


@pytest.fixture
async def app_client(aiohttp_client: Factory, redis_url: str) -> TestClient:
    client = await aiohttp_client(create_app(settings(redis_url), workers=False))
    redis = aioredis.from_url(redis_url, decode_responses=True)
    accounts = Accounts(redis)
    await accounts.create("anna", "Anna", Role.MODERATOR, PASSWORD)
    await accounts.create("piotr", "Piotr", Role.MODERATOR, PASSWORD)
    await accounts.create("ola", "Ola", Role.ADMIN, PASSWORD)
    await redis.aclose()
    return client


async def sign_in(aiohttp_client: Factory, app_client: TestClient, login: str) -> Console:
    """A separate browser (cookie jar) on the same app, signed in as ``login``."""
    client = app_client if login == "anna" else await aiohttp_client(app_client.server)
    response = await client.post("/login", data={"login": login, "password": PASSWORD}, allow_redirects=False)
    assert response.status == 302 and response.headers["Location"] == "/"
    me = await (await client.get("/api/me")).json()
    return Console(client, me["csrf_token"])
