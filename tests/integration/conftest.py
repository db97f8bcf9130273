"""The integration tests use the session's real stack (tests/stack.py)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from handoff.accounts import Accounts, Role
from handoff.errors import Conflict
from tests.integration.console import PASSWORD, Moderator
from tests.stack import Stack


@pytest.fixture
async def accounts(stack: Stack) -> AsyncIterator[None]:
    client = aioredis.from_url(stack.redis_url, decode_responses=True)
    for login, name in (("ewa", "Ewa"), ("piotr", "Piotr")):
        with contextlib.suppress(Conflict):  # made by an earlier test
            await Accounts(client).create(login, name, Role.MODERATOR, PASSWORD)
    await client.aclose()
    yield


@pytest.fixture
async def moderator(stack: Stack, accounts: None) -> AsyncIterator[Moderator]:
    m = Moderator(stack, "ewa")
    await m.sign_in()
    yield m
    await m.http.close()
