"""A Messenger ticket in the console, in a real browser against the real stack: Meta's windows
are shown above the reply box before a reply is tried (after 24 hours the reply goes out tagged
HUMAN_AGENT; after 7 days the box is closed, as the API would refuse the reply)."""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from collections.abc import Callable

import pytest
import redis
from playwright.sync_api import Page, expect

from bot.core import keys
from tests.browser.test_console import (  # noqa: F401  (fixtures)
    ConsoleApi,
    accounts,
    console,
)
from tests.stack import Stack

pytestmark = pytest.mark.integration


def open_messenger_ticket(stack: Stack, psid: str) -> str:
    """A ticket as the action server opens one (``POST /internal/tickets``)."""
    body = json.dumps({"conversation_id": f"messenger:{psid}", "reasons": ["human_request"],
                       "customer_name": "Zofia Kowalska"}).encode()
    request = urllib.request.Request(f"{stack.handoff_url}/internal/tickets", data=body, method="POST", headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {stack.service_token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return str(json.loads(response.read())["ticket"])


def customer_wrote(stack: Stack, psid: str, seconds_ago: float) -> None:
    """What the Messenger channel writes when the customer's message arrives (``last_in``)."""
    client = redis.Redis.from_url(stack.redis_url)
    try:
        client.set(keys.MessengerKeys().last_in(psid), repr(time.time() - seconds_ago))
    finally:
        client.close()


def test_the_reply_box_says_which_messenger_window_is_open(
    stack: Stack, console: Callable[..., Page]  # noqa: F811
) -> None:
    psid = str(uuid.uuid4().int % 10**16)
    ticket_id = open_messenger_ticket(stack, psid)
    admin = ConsoleApi(stack.handoff_url, "szef")
    try:
        assert admin.call("POST", f"/api/tickets/{ticket_id}/claim")["state"] == "assigned"
        customer_wrote(stack, psid, 8 * 24 * 3600)
        page = console("szef")
        page.goto(f"{stack.handoff_url}/tickets/{ticket_id}")
        notice = page.locator("#window-notice")
        expect(notice).to_contain_text("Minęło 7 dni")
        expect(page.get_by_label("Odpowiedź do klienta")).to_be_disabled()
        expect(page.locator("#claim-hint")).to_be_hidden()  # it is the moderator's own ticket

        customer_wrote(stack, psid, 25 * 3600)
        page.reload()
        expect(notice).to_contain_text("HUMAN_AGENT")
        expect(page.get_by_label("Odpowiedź do klienta")).to_be_enabled()

        customer_wrote(stack, psid, 60)
        page.reload()
        expect(page.get_by_label("Odpowiedź do klienta")).to_be_enabled()
        expect(notice).to_be_hidden()
    finally:
        admin.call("POST", f"/api/tickets/{ticket_id}/resolve")
