"""The handoff service's calls to Rasa's HTTP API send the token in a header, never the URL."""

from typing import Any

from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer

from handoff.rasa_client import RasaClient

TOKEN = "rasa-token-0123456789"


async def test_push_events_sends_the_token_as_a_bearer_header(aiohttp_server: Any) -> None:
    seen: list[web.Request] = []

    async def events(request: web.Request) -> web.Response:
        seen.append(request)
        return web.json_response({})

    fake = web.Application()
    fake.router.add_post("/conversations/{id}/tracker/events", events)
    server: TestServer = await aiohttp_server(fake)
    async with ClientSession() as session:
        await RasaClient(session, str(server.make_url("/")), TOKEN).push_events("web:x", [{"event": "action"}])
    (request,) = seen
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert "token" not in request.query and TOKEN not in str(request.url)
    assert request.query["execute_side_effects"] == "true"
