"""The Send API client against a fake Graph API on loopback (tests/fakes/graph_api.py)."""

import json
from typing import Any

from aiohttp.test_utils import TestServer

from bot.rasa_side.channels.graph import GraphClient
from tests.fakes.graph_api import FAILURES, PROFILES, RECEIVED, create_app


async def start(aiohttp_server: Any) -> TestServer:
    return await aiohttp_server(create_app())  # type: ignore[no-any-return]


async def test_message_is_posted_with_token_and_fields(aiohttp_server: Any) -> None:
    server = await start(aiohttp_server)
    client = GraphClient(str(server.make_url("/v21.0")), "page-token", backoff=())
    try:
        assert await client.send("7", {"text": "hej"}, {"messaging_type": "RESPONSE"})
    finally:
        await client.close()
    [record] = server.app[RECEIVED]
    assert record["query"] == {"access_token": "page-token"}
    assert record["body"] == {"recipient": {"id": "7"}, "message": {"text": "hej"}, "messaging_type": "RESPONSE"}


async def test_transient_failures_are_retried(aiohttp_server: Any) -> None:
    server = await start(aiohttp_server)
    server.app[FAILURES].update(count=2, status=503)
    client = GraphClient(str(server.make_url("/v21.0")), "t", backoff=(0.01, 0.01, 0.01))
    try:
        assert await client.send("7", {"text": "hej"}, {"messaging_type": "RESPONSE"})
    finally:
        await client.close()
    assert [r.get("failed") for r in server.app[RECEIVED]] == [503, 503, None]


async def test_permanent_failure_is_handed_over_not_dropped(aiohttp_server: Any) -> None:
    server = await start(aiohttp_server)
    server.app[FAILURES].update(count=5, status=400)
    failures: list[tuple[str, dict[str, Any], str]] = []

    async def on_failure(psid: str, body: dict[str, Any], error: str) -> None:
        failures.append((psid, body, error))

    client = GraphClient(str(server.make_url("/v21.0")), "t", on_failure=on_failure, backoff=(0.01, 0.01))
    try:
        assert not await client.send("7", {"text": "hej"}, {})
    finally:
        await client.close()
    assert len(server.app[RECEIVED]) == 1  # a 400 is not retried
    assert failures and failures[0][0] == "7" and failures[0][2].startswith("HTTP 400")


async def test_unreachable_graph_api_gives_up_after_the_retries(unused_tcp_port: int) -> None:
    failures: list[str] = []

    async def on_failure(psid: str, body: dict[str, Any], error: str) -> None:
        failures.append(error)

    client = GraphClient(f"http://127.0.0.1:{unused_tcp_port}/v21.0", "t", on_failure=on_failure,
                         backoff=(0.01, 0.01))
    try:
        assert not await client.send("7", {"text": "hej"}, {})
    finally:
        await client.close()
    assert len(failures) == 1 and "Connect" in failures[0]


async def test_a_refused_message_gets_metas_error_shape_and_is_not_retried(aiohttp_server: Any) -> None:
    server = await start(aiohttp_server)
    failures: list[str] = []

    async def on_failure(psid: str, body: dict[str, Any], error: str) -> None:
        failures.append(error)

    client = GraphClient(str(server.make_url("/v21.0")), "t", on_failure=on_failure, backoff=(0.01,))
    try:
        assert not await client.send("7", {"text": "hej"}, {"messaging_type": "MESSAGE_TAG"})  # no tag
    finally:
        await client.close()
    [record] = server.app[RECEIVED]
    assert record["failed"] == 400 and "param tag" in record["error"]
    assert '"type": "OAuthException"' in failures[0] and '"fbtrace_id"' in failures[0]


async def test_sender_actions_and_profiles(aiohttp_server: Any) -> None:
    server = await start(aiohttp_server)
    server.app[PROFILES]["8"] = {"body": {"first_name": "Peter", "last_name": "Chang", "locale": "en_US"}}
    client = GraphClient(str(server.make_url("/v21.0")), "t")
    try:
        assert await client.sender_action("8", "typing_on")
        assert not await client.sender_action("8", "dancing")  # refused by Meta's check, only logged
        status, body = await client.profile("8", "first_name,last_name,locale")
    finally:
        await client.close()
    assert status == 200
    assert json.loads(body) == {"first_name": "Peter", "last_name": "Chang", "locale": "en_US", "id": "8"}
    assert [(r["kind"], r.get("failed")) for r in server.app[RECEIVED]] == [
        ("sender_action", None), ("sender_action", 400), ("profile", None)]
    assert server.app[RECEIVED][2]["query"] == {"fields": "first_name,last_name,locale", "access_token": "t"}
