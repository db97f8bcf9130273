import asyncio
import logging
import socket
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from handoff import suggest
from handoff.suggest import SuggestClient

SUGGESTION = {"faq_id": "delivery_cost", "title": "Koszt dostawy", "answer": "14,99 zł", "score": 0.9, "lang": "pl"}
RECEIVED = web.AppKey("received", list)
REPLY = web.AppKey("reply", dict)


async def fake_suggest(request: web.Request) -> web.StreamResponse:
    request.app[RECEIVED].append(await request.json())
    reply = request.app[REPLY]
    await asyncio.sleep(reply.get("delay", 0))
    if "raw" in reply:
        return web.Response(text=reply["raw"], content_type="application/json", status=reply.get("status", 200))
    return web.json_response(reply.get("body", {"suggestions": [SUGGESTION]}), status=reply.get("status", 200))


def fake_action_server(**reply: Any) -> web.Application:
    """The action server's ``POST /suggest``, answering ``reply`` and recording requests."""
    app = web.Application()
    app[RECEIVED] = []
    app[REPLY] = reply
    app.router.add_post("/suggest", fake_suggest)
    return app


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as s:
        yield s


async def start(aiohttp_server: Any, **reply: Any) -> TestServer:
    return await aiohttp_server(fake_action_server(**reply))  # type: ignore[no-any-return]


async def test_suggestions_are_fetched(aiohttp_server: Any, session: aiohttp.ClientSession) -> None:
    server = await start(aiohttp_server)
    client = SuggestClient(session, str(server.make_url("/")))
    assert await client.suggest("ile kosztuje dostawa", k=2) == [SUGGESTION]
    assert server.app[RECEIVED] == [{"text": "ile kosztuje dostawa", "k": 2}]


async def test_k_defaults_to_three(aiohttp_server: Any, session: aiohttp.ClientSession) -> None:
    server = await start(aiohttp_server)
    await SuggestClient(session, str(server.make_url(""))).suggest("hej")
    assert server.app[RECEIVED] == [{"text": "hej", "k": 3}]


@pytest.mark.parametrize(
    "reply",
    [
        {"status": 500, "body": {"error": "boom"}},
        {"status": 400, "body": {"error": "text must be a non-empty string"}},
        {"raw": "not json"},
        {"body": {"unexpected": True}},
        {"body": {"suggestions": ["x"]}},
    ],
)
async def test_bad_answers_give_no_suggestions(
    aiohttp_server: Any, session: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture, reply: dict[str, Any]
) -> None:
    server = await start(aiohttp_server, **reply)
    with caplog.at_level(logging.WARNING, logger="handoff.suggest"):
        assert await SuggestClient(session, str(server.make_url("/"))).suggest("hej") == []
    assert "no suggestions" in caplog.text
    assert "hej" not in caplog.text  # customer text stays out of the logs


async def test_unreachable_action_server_gives_no_suggestions(
    session: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as probe:  # a port nothing listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with caplog.at_level(logging.WARNING, logger="handoff.suggest"):
        assert await SuggestClient(session, f"http://127.0.0.1:{port}").suggest("hej") == []
    assert "unreachable" in caplog.text


async def test_slow_action_server_times_out(
    aiohttp_server: Any, session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(suggest, "TIMEOUT_SECONDS", 0.1)
    server = await start(aiohttp_server, delay=2)
    assert await SuggestClient(session, str(server.make_url("/"))).suggest("hej") == []
