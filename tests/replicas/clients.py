"""The people around the replicated stack: widget and Messenger customers, moderators with
their live feed, and what Redis holds afterwards."""

from __future__ import annotations

import asyncio
import io
import json
import time
import uuid
from collections import Counter
from typing import Any

import aiohttp
import redis
import socketio

from bot.core import keys
from bot.rasa_side.channels.messenger_protocol import sign
from tests.stack import MESSENGER_SECRET

PASSWORD = "moderator password 1"


class Widget:
    """A socket.io client the way the widget speaks, on a chosen transport."""

    def __init__(self, transports: list[str]) -> None:
        self.transports = transports
        self.client = socketio.AsyncClient()
        self.session_id = f"web:{uuid.uuid4()}"
        self.replies: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.confirmed: asyncio.Queue[str] = asyncio.Queue()
        self.client.on("bot_uttered", self.replies.put)
        self.client.on("session_confirm", self.confirmed.put)

    async def start(self, url: str) -> None:
        await self.client.connect(url, socketio_path="/socket.io", transports=self.transports)
        await self.client.emit("session_request", {"session_id": self.session_id})
        await asyncio.wait_for(self.confirmed.get(), 30)

    async def say(self, text: str) -> None:
        await self.client.emit("user_uttered", {"message": text})

    async def next_reply(self, timeout: float = 60) -> dict[str, Any]:
        return await asyncio.wait_for(self.replies.get(), timeout)

    async def replies_until(self, predicate: Any, timeout: float = 60) -> list[dict[str, Any]]:
        seen: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        while not seen or not predicate(seen[-1]):
            seen.append(await self.next_reply(max(0.1, deadline - time.monotonic())))
        return seen

    async def quiet_for(self, seconds: float) -> list[dict[str, Any]]:
        """Whatever arrives within ``seconds``."""
        extra: list[dict[str, Any]] = []
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                extra.append(await asyncio.wait_for(self.replies.get(), left))
            except asyncio.TimeoutError:
                break
        return extra


def messenger_body(psid: str, text: str) -> bytes:
    return json.dumps({"object": "page", "entry": [{"id": "1", "time": 1, "messaging": [{
        "sender": {"id": psid}, "recipient": {"id": "1"}, "timestamp": int(time.time() * 1000),
        "message": {"mid": f"m_{uuid.uuid4().hex}", "text": text}}]}]}).encode()


async def post_messenger(http: aiohttp.ClientSession, rasa_url: str, psid: str, text: str) -> int:
    body = messenger_body(psid, text)
    headers = {"X-Hub-Signature-256": sign(MESSENGER_SECRET, body), "Content-Type": "application/json"}
    async with http.post(f"{rasa_url}/webhooks/messenger/webhook", data=io.BytesIO(body), headers=headers) as r:
        return r.status


async def graph_sends(graph_url: str, psid: str) -> list[str]:
    async with aiohttp.ClientSession() as http, http.get(f"{graph_url}/_received") as r:
        records = await r.json()
    return [str(r["body"]["message"].get("text")) for r in records
            if r["body"]["recipient"].get("id") == psid and "failed" not in r]


class Moderator:
    """A signed-in console session (cookie and CSRF token); each call may go to a chosen replica."""

    def __init__(self, login: str, base_url: str) -> None:
        self.login, self.base_url = login, base_url
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.csrf = ""

    async def sign_in(self) -> None:
        async with self.http.post(f"{self.base_url}/login", allow_redirects=False,
                                  data={"login": self.login, "password": PASSWORD}) as r:
            assert r.status == 302, await r.text()
        self.csrf = (await self.call("GET", "/api/me"))[1]["csrf_token"]

    async def call(self, method: str, path: str, json: Any = None, base: str | None = None) -> tuple[int, Any]:
        async with self.http.request(method, (base or self.base_url) + path, json=json,
                                     headers={"X-CSRF-Token": self.csrf}) as r:
            return r.status, await r.json()

    async def follow_live(self, base: str, into: list[dict[str, Any]], ready: asyncio.Event) -> None:
        """Read ``/api/live`` (server-sent events) on ``base`` until cancelled."""
        async with self.http.get(f"{base}/api/live", timeout=aiohttp.ClientTimeout(total=None)) as r:
            assert r.status == 200
            async for raw in r.content:
                line = raw.decode().strip()
                if line == ": connected":
                    ready.set()
                elif line.startswith("data: "):
                    into.append(json.loads(line[len("data: "):]))

    async def close(self) -> None:
        await self.http.close()


class Stored:
    """What Redis holds: every conversation's user messages, in stored order."""

    def __init__(self, url: str) -> None:
        self.client = redis.Redis.from_url(url, decode_responses=True)

    def events(self, conversation: str) -> list[dict[str, Any]]:
        return [json.loads(e) for e in self.client.lrange(keys.TrackerKeys().events(conversation), 0, -1)]

    def texts(self, conversation: str) -> list[str]:
        return [str(e.get("text")) for e in self.events(conversation) if e.get("event") == "user"]

    def duplicates(self, conversation: str) -> dict[str, int]:
        return {t: n for t, n in Counter(self.texts(conversation)).items() if n > 1}

    def interleaved_turns(self, conversation: str) -> int:
        """User messages whose turn began before the previous one ended (``action_listen``);
        while the conversation is paused (handed to people) messages get no turn at all."""
        count, listening, paused = 0, True, False
        for event in self.events(conversation):
            kind = event.get("event")
            if kind == "user":
                count += 0 if listening or paused else 1
                listening = False
            elif kind == "action" and event.get("name") == "action_listen":
                listening = True
            elif kind in ("pause", "resume"):
                paused = kind == "pause"
        return count

    async def inbox_drained(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self.client.xlen(keys.MessengerKeys().inbox):
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.5)
        return True

    def close(self) -> None:
        self.client.close()
