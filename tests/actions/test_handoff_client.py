"""The action server's handoff client against a tiny fake handoff service on port 0."""

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web

from actions.handoff_client import HandoffClient

RECEIVED = web.AppKey("received", list)
STATUS = web.AppKey("status", int)
Started = tuple[HandoffClient, list[dict[str, Any]]]


async def tickets(request: web.Request) -> web.Response:
    request.app[RECEIVED].append(await request.json())
    if request.app[STATUS] == 429:
        return web.json_response({"error": "3 tickets are open from this client address already"}, status=429)
    return web.json_response({"ticket": "T000001", "created": True, "handoff": {"state": "queued", "position": 1}},
                             status=request.app[STATUS])


@pytest.fixture
async def start(aiohttp_server: Any) -> AsyncIterator[Callable[[int], Awaitable[Started]]]:
    """``await start(status)``: a client of a fake handoff service answering ``status``, and what it got."""
    clients: list[HandoffClient] = []

    async def serve(status: int) -> Started:
        app = web.Application()
        app[RECEIVED], app[STATUS] = [], status
        app.router.add_post("/internal/tickets", tickets)
        server = await aiohttp_server(app)
        clients.append(HandoffClient(str(server.make_url("")).rstrip("/"), "t" * 20))
        return clients[-1], app[RECEIVED]

    yield serve
    for client in clients:
        await client.close()


async def test_the_address_and_the_exchanges_go_with_the_ticket(start: Callable[[int], Awaitable[Started]]) -> None:
    client, received = await start(201)
    opened = await client.open_ticket("web:x", "pl", ["human_request"], [], "", "198.51.100.4", 2)
    assert opened is not None and opened["handoff"]["position"] == 1
    assert (received[0]["client_ip"], received[0]["exchanges"], received[0]["customer_name"]) == ("198.51.100.4", 2, "")


async def test_a_429_is_a_refusal_not_an_outage(start: Callable[[int], Awaitable[Started]]) -> None:
    client, received = await start(429)
    assert await client.open_ticket("web:x", "pl", ["human_request"], []) == {"refused": "too_many_open"}
    assert len(received) == 1  # not retried
