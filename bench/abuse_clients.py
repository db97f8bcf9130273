"""The people in the abuse run (bench/abuse.py), each from its own loopback address: real widget
customers who time every answer, moderators who work the queue, and the flood's clients."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import socketio

from bot.rasa_side.channels.messenger_protocol import sign

QUESTION = "Jak zwrócić produkt?"
FOLLOW_UP = "A ile mam dni na zwrot?"
ASK_FOR_PERSON = "Chcę rozmawiać z konsultantem"
COLD_TICKET = "Pozwę was, chcę rozmawiać z człowiekiem"
REPLY_TIMEOUT = 20.0  # seconds for the bot's first message of a reply
HTTP_TIMEOUT = aiohttp.ClientTimeout(total=30)
FAILURES = (aiohttp.ClientError, asyncio.TimeoutError, OSError, socketio.exceptions.SocketIOError, ValueError)


def session_from(address: str, cookies: bool = False) -> aiohttp.ClientSession:
    """An HTTP session whose connections leave from ``address`` (any of 127.0.0.0/8 on Linux)."""
    jar = aiohttp.CookieJar(unsafe=True) if cookies else aiohttp.DummyCookieJar()
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=(address, 0)), cookie_jar=jar,
                                 timeout=HTTP_TIMEOUT)


class WidgetClient:
    """A socket.io client the way the widget speaks, from one address."""

    def __init__(self, address: str, transports: list[str] | None = None) -> None:
        self.http = session_from(address)
        self.client = socketio.AsyncClient(http_session=self.http, reconnection=False)
        self.transports = transports or ["polling", "websocket"]
        self.conversation = f"web:{uuid.uuid4()}"
        self.replies: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.confirmed: asyncio.Queue[str] = asyncio.Queue()
        self.client.on("bot_uttered", self.replies.put)
        self.client.on("session_confirm", self.confirmed.put)

    async def start(self, url: str) -> None:
        await self.client.connect(url, socketio_path="/socket.io", transports=self.transports, wait_timeout=10)
        await self.client.emit("session_request", {"session_id": self.conversation})
        await asyncio.wait_for(self.confirmed.get(), REPLY_TIMEOUT)

    async def say(self, text: str) -> None:
        await self.client.emit("user_uttered", {"message": text})

    async def close(self) -> None:
        try:
            await self.client.disconnect()
        finally:
            await self.http.close()


@dataclass
class Customer:
    """A real customer: a FAQ question, a follow-up after the answer, then a person."""

    name: str
    address: str
    conversation: str = ""
    latencies_ms: list[float] = field(default_factory=list)
    answered: list[str] = field(default_factory=list)  # texts the bot answered (the client's receipt)
    unanswered: list[str] = field(default_factory=list)
    handed_over: bool = False
    human_reply_seconds: float | None = None
    error: str = ""

    async def run(self, url: str, human_timeout: float) -> None:
        widget = WidgetClient(self.address)
        try:
            await widget.start(url)
            self.conversation = widget.conversation
            for text in (QUESTION, FOLLOW_UP, ASK_FOR_PERSON):
                if self.handed_over:
                    break  # already waiting for a person: the bot is silent now
                await self._turn(widget, text)
            handed_at = time.monotonic()
            if self.handed_over:
                await self._wait_for_a_person(widget, human_timeout)
                if self.human_reply_seconds is not None:
                    self.human_reply_seconds = round(self.human_reply_seconds - handed_at, 2)
        except FAILURES as exc:
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            await widget.close()

    async def _turn(self, widget: WidgetClient, text: str) -> None:
        sent = time.monotonic()
        await widget.say(text)
        try:
            first = await asyncio.wait_for(widget.replies.get(), REPLY_TIMEOUT)
        except asyncio.TimeoutError:
            self.unanswered.append(text)
            return
        self.latencies_ms.append((time.monotonic() - sent) * 1000)
        self.answered.append(text)
        self._note(first)
        while not widget.replies.empty():
            self._note(widget.replies.get_nowait())
        if text == ASK_FOR_PERSON and not self.handed_over:  # the queue message may follow the first line
            deadline = time.monotonic() + REPLY_TIMEOUT
            while not self.handed_over and time.monotonic() < deadline:
                with_timeout = max(0.1, deadline - time.monotonic())
                try:
                    self._note(await asyncio.wait_for(widget.replies.get(), with_timeout))
                except asyncio.TimeoutError:
                    break

    def _note(self, message: dict[str, Any]) -> None:
        if "handoff" in (message.get("custom") or {}):
            self.handed_over = True

    async def _wait_for_a_person(self, widget: WidgetClient, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                message = await asyncio.wait_for(widget.replies.get(), left)
            except asyncio.TimeoutError:
                return
            if "\n— " in str(message.get("text") or ""):  # a moderator's reply is signed
                self.human_reply_seconds = time.monotonic()
                return


class Moderator:
    """A signed-in console session from its own address, working the queue from the top."""

    def __init__(self, login: str, password: str, base_url: str, address: str) -> None:
        self.login, self.password, self.base_url = login, password, base_url
        self.http = session_from(address, cookies=True)
        self.csrf = ""
        self.served: list[str] = []  # conversation ids, in the order taken
        self.statuses: Counter[int] = Counter()

    async def sign_in(self) -> None:
        async with self.http.post(f"{self.base_url}/login", allow_redirects=False,
                                  data={"login": self.login, "password": self.password}) as r:
            if r.status != 302:
                raise RuntimeError(f"{self.login} could not sign in: {r.status} {await r.text()}")
        self.csrf = (await self.call("GET", "/api/me"))[1]["csrf_token"]

    async def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        async with self.http.request(method, self.base_url + path, json=body,
                                     headers={"X-CSRF-Token": self.csrf}) as r:
            self.statuses[r.status] += 1
            text = await r.text()
            return r.status, json.loads(text) if text.startswith(("{", "[")) else {}

    async def queue(self) -> list[dict[str, Any]]:
        """The waiting tickets, first served first."""
        status, body = await self.call("GET", "/api/queue")
        waiting = [t for t in body.get("tickets", []) if t.get("state") == "queued"] if status == 200 else []
        return sorted(waiting, key=lambda t: t.get("position") or 0)

    async def work(self, stop: asyncio.Event, seconds_per_ticket: float) -> None:
        """Take the top ticket, answer it, close it; a human pace between tickets."""
        while not stop.is_set():
            with contextlib.suppress(*FAILURES):
                await self._take_one()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), seconds_per_ticket)

    async def _take_one(self) -> None:
        for ticket in await self.queue():
            status, _ = await self.call("POST", f"/api/tickets/{ticket['id']}/claim")
            if status != 200:
                continue  # the other moderator took it
            await self.call("POST", f"/api/tickets/{ticket['id']}/reply", {"text": "Dzień dobry, już sprawdzam."})
            await self.call("POST", f"/api/tickets/{ticket['id']}/resolve", {})
            self.served.append(str(ticket.get("conversation_id")))
            return

    async def close(self) -> None:
        await self.http.close()


def messenger_body(psid: str, text: str) -> bytes:
    return json.dumps({"object": "page", "entry": [{"id": "1", "time": 1, "messaging": [{
        "sender": {"id": psid}, "recipient": {"id": "1"}, "timestamp": int(time.time() * 1000),
        "message": {"mid": f"m_{uuid.uuid4().hex}", "text": text}}]}]}).encode()


async def post_messenger(http: aiohttp.ClientSession, url: str, secret: str, psid: str, text: str) -> int:
    body = messenger_body(psid, text)
    headers = {"X-Hub-Signature-256": sign(secret, body), "Content-Type": "application/json"}
    async with http.post(f"{url}/webhooks/messenger/webhook", data=body, headers=headers) as r:
        await r.read()
        return r.status
