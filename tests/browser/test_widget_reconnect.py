"""The widget never loses a reply: catch-up after its connection drops, and HTTP long-polling where
WebSockets are blocked (handoff/static/widget/widget.js, bot/rasa_side/channels/catch_up*.py)."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import subprocess
import time
import urllib.parse
import urllib.request
from typing import Any

import pytest
import redis
from playwright.sync_api import Page, Request, Route, WebSocketRoute, expect

from bot.core.keys import TrackerKeys
from ops.processes import REPO
from tests.browser.test_widget import Widget
from tests.stack import Stack

pytestmark = pytest.mark.integration
LOGIN, PASSWORD = "kasia", "moderator password 3"
SOCKET_IO = re.compile(r"/socket\.io/")


class Console:
    """A moderator signed in to the console's HTTP API (cookie and CSRF token, as the browser has them)."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        result = subprocess.run(
            [str(REPO / ".venv/bin/python"), "-m", "handoff.admin", "add-user", "--login", LOGIN, "--name", "Kasia",
             "--role", "moderator", "--password-stdin"],
            input=PASSWORD + "\n", capture_output=True, text=True, cwd=REPO, timeout=60,
            env={**os.environ, "REDIS_URL": stack.redis_url},
        )
        assert result.returncode == 0 or "exists" in result.stderr, result.stderr
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        form = urllib.parse.urlencode({"login": LOGIN, "password": PASSWORD}).encode()
        self.opener.open(f"{stack.handoff_url}/login", data=form, timeout=30)
        self.csrf = self.call("GET", "/api/me")["csrf_token"]

    def call(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        request = urllib.request.Request(
            self.stack.handoff_url + path, method=method, data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "X-CSRF-Token": getattr(self, "csrf", ""), **(headers or {})})
        with self.opener.open(request, timeout=30) as response:
            return json.loads(response.read())

    def ticket_of(self, conversation_id: str) -> str:
        body = self.call("GET", f"/internal/conversations/{conversation_id}",
                         headers={"Authorization": f"Bearer {self.stack.service_token}"})
        assert body["owner"] != "bot", body
        return str(body["ticket"])


class Link:
    """The customer's connection to Rasa: WebSocket and polling requests pass while it is up; going
    down closes the open sockets on both sides and refuses new connections."""

    def __init__(self, page: Page) -> None:
        self.up = True
        self.sockets: list[tuple[WebSocketRoute, WebSocketRoute]] = []
        page.route_web_socket(SOCKET_IO, self._websocket)
        page.route(SOCKET_IO, self._request)

    def _websocket(self, ws: WebSocketRoute) -> None:
        if not self.up:
            ws.close()
            return
        self.sockets.append((ws, ws.connect_to_server()))

    def _request(self, route: Route, _: Request) -> None:
        if self.up:
            route.continue_()
        else:
            route.abort("internetdisconnected")

    def down(self) -> None:
        self.up = False
        for page_side, server_side in self.sockets:
            page_side.close()
            server_side.close()
        self.sockets.clear()


def stored_bot_texts(stack: Stack, conversation_id: str) -> list[str]:
    client = redis.Redis.from_url(stack.redis_url, decode_responses=True)
    try:
        events = [json.loads(e) for e in client.lrange(TrackerKeys().events(conversation_id), 0, -1)]
    finally:
        client.close()
    return [str(e.get("text")) for e in events if e.get("event") == "bot"]


def wait_stored(stack: Stack, conversation_id: str, text: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not any(text in t for t in stored_bot_texts(stack, conversation_id)):
        assert time.monotonic() < deadline, f"{text!r} was never stored in {conversation_id}"
        time.sleep(0.2)


def test_a_reply_sent_while_the_connection_was_down_appears_once_it_is_back(stack: Stack, shop: Page) -> None:
    console = Console(stack)
    link = Link(shop)
    shop.goto(f"{stack.handoff_url}/demo")
    widget = Widget(shop)
    widget.launcher.click()
    expect(widget.say("chcę rozmawiać z konsultantem")).to_contain_text("w kolejce")
    conversation = widget.session_id()
    ticket = console.ticket_of(conversation)
    console.call("POST", f"/api/tickets/{ticket}/claim", {})
    expect(widget.handoff).to_contain_text("Kasia")
    expect(shop.locator(".vc-root")).to_have_attribute("data-transport", "websocket")

    link.down()  # a train tunnel
    expect(widget.connection).to_contain_text("Brak połączenia")
    first = "Dzień dobry, tu Kasia. Zwrot został już zlecony."
    console.call("POST", f"/api/tickets/{ticket}/reply", {"text": first})
    wait_stored(stack, conversation, first)  # Rasa has emitted it to nobody, and stored it

    link.up = True
    expect(widget.connection).to_be_hidden(timeout=30_000)
    shown = widget.bot.filter(has_text=first)
    expect(shown).to_have_count(1, timeout=30_000)  # caught up
    marker = "Czy mogę jeszcze w czymś pomóc?"
    console.call("POST", f"/api/tickets/{ticket}/reply", {"text": marker})
    expect(widget.bot.filter(has_text=marker)).to_have_count(1, timeout=30_000)  # live, after the catch-up
    expect(shown).to_have_count(1)  # a second copy of the first had every chance to arrive by now

    shop.reload()  # the stored transcript with its ids: nothing twice after a reload either
    expect(widget.bot.filter(has_text=marker)).to_have_count(1)
    expect(shop.locator(".vc-root")).to_have_attribute("data-connection", "online", timeout=30_000)
    last = "Do usłyszenia!"
    console.call("POST", f"/api/tickets/{ticket}/reply", {"text": last})
    expect(widget.bot.filter(has_text=last)).to_have_count(1, timeout=30_000)
    expect(shown).to_have_count(1)
    expect(widget.bot.filter(has_text=marker)).to_have_count(1)


def push(stack: Stack, conversation_id: str, events: list[dict[str, Any]]) -> None:
    """What the handoff service's outbox does (handoff/outbox.py), with the stamps given."""
    query = urllib.parse.urlencode({"token": stack.token, "execute_side_effects": "true", "output_channel": "latest"})
    # ':' as it is: Sanic does not decode %3A in a path (aiohttp's client, the outbox's, sends ':' too)
    url = f"{stack.rasa_url}/conversations/{urllib.parse.quote(conversation_id, safe=':')}/tracker/events?{query}"
    request = urllib.request.Request(url, data=json.dumps(events).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200


def status(text: str | None, handoff: dict[str, Any], at: float) -> dict[str, Any]:
    return {"event": "bot", "text": text, "data": {"custom": {"handoff": handoff}}, "timestamp": at}


def test_statuses_count_in_the_order_they_come_not_by_their_stamps(stack: Stack, shop: Page) -> None:
    """A moderator's status carries the time it was written, which may be before the bot's last
    status was stamped (auto-assignment during the hand-off turn): it still counts, live and caught up.
    (The statuses are pushed as the outbox does, on a conversation with no ticket: no queue update
    of the real service comes between.)"""
    link = Link(shop)
    shop.goto(f"{stack.handoff_url}/demo")
    widget = Widget(shop)
    widget.launcher.click()
    widget.say("ile kosztuje dostawa")
    conversation = widget.session_id()
    client = redis.Redis.from_url(stack.redis_url, decode_responses=True)
    try:
        events = [json.loads(e) for e in client.lrange(TrackerKeys().events(conversation), 0, -1)]
    finally:
        client.close()
    answered_at = max(e["timestamp"] for e in events if e.get("event") == "bot")

    push(stack, conversation, [status(None, {"state": "queued", "position": 1}, answered_at + 1)])
    expect(widget.handoff).to_have_attribute("data-state", "queued")
    push(stack, conversation, [status("Kasia dołącza do rozmowy.", {"state": "human", "moderator": "Kasia"},
                                      answered_at - 4)])  # written before "queued" was stamped
    expect(widget.handoff).to_have_attribute("data-state", "human")
    expect(widget.handoff).to_contain_text("Kasia")

    link.down()
    expect(widget.connection).to_contain_text("Brak połączenia")
    push(stack, conversation, [status("Ola dołącza do rozmowy.", {"state": "human", "moderator": "Ola"},
                                      answered_at + 60)])
    push(stack, conversation, [status("Wracasz do rozmowy z asystentem.", {"state": "bot"}, answered_at + 55)])
    wait_stored(stack, conversation, "Wracasz do rozmowy z asystentem.")
    link.up = True
    expect(widget.bot.filter(has_text="Wracasz do rozmowy z asystentem.")).to_have_count(1, timeout=30_000)
    expect(widget.bot.filter(has_text="Ola dołącza do rozmowy.")).to_have_count(1)
    expect(widget.handoff).to_have_attribute("data-state", "bot")  # the last stored, though stamped before Ola's
    expect(widget.handoff).to_be_hidden()


# What a network that blocks WebSockets does: every WebSocket fails to connect (an error, then a close).
BLOCK_WEBSOCKETS = """
(() => {
  const Real = window.WebSocket;
  window.__webSocketAttempts = 0;
  function Blocked(url, protocols) {
    window.__webSocketAttempts += 1;
    return new Real("ws://127.0.0.1:9/blocked", protocols);
  }
  Blocked.prototype = Real.prototype;
  Object.assign(Blocked, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
  window.WebSocket = Blocked;
})();
"""


def test_where_websockets_are_blocked_the_widget_talks_over_long_polling(stack: Stack, shop: Page) -> None:
    shop.add_init_script(BLOCK_WEBSOCKETS)
    shop.goto(f"{stack.handoff_url}/demo")
    widget = Widget(shop)
    widget.launcher.click()
    expect(widget.say("ile kosztuje dostawa kurierem?")).to_contain_text("zł")
    expect(shop.locator(".vc-root")).to_have_attribute("data-transport", "polling")
    assert shop.evaluate("window.__webSocketAttempts") >= 1  # it tried a WebSocket first
    expect(widget.say("Jak zwrócić produkt?")).not_to_be_empty()  # and goes on over polling
    expect(widget.connection).to_be_hidden()
