"""The moderators' side of the integration tests: a signed-in console session, and a conversation's ticket."""

from __future__ import annotations

from typing import Any

import aiohttp

from tests.stack import Stack

PASSWORD = "moderator password 1"


class Moderator:
    """A signed-in console session over HTTP (cookie and CSRF token, as the browser has them)."""

    def __init__(self, stack: Stack, login: str) -> None:
        self.stack, self.login = stack, login
        self.password = PASSWORD
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.csrf = ""

    async def sign_in(self) -> None:
        async with self.http.post(f"{self.stack.handoff_url}/login", allow_redirects=False,
                                  data={"login": self.login, "password": self.password}) as r:
            assert r.status == 302 and r.headers["Location"] == "/"
        self.csrf = (await self.call("GET", "/api/me"))[1]["csrf_token"]

    async def call(self, method: str, path: str, json: Any = None) -> tuple[int, Any]:
        async with self.http.request(method, self.stack.handoff_url + path, json=json,
                                     headers={"X-CSRF-Token": self.csrf}) as r:
            return r.status, await r.json()


async def ticket_of(stack: Stack, conversation_id: str) -> str:
    async with aiohttp.ClientSession() as http:
        url = f"{stack.handoff_url}/internal/conversations/{conversation_id}"
        async with http.get(url, headers={"Authorization": f"Bearer {stack.service_token}"}) as r:
            body = await r.json()
    assert body["owner"] != "bot", body
    return str(body["ticket"])
