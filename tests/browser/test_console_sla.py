"""The clock for a later wait, in a real browser against the real stack: a customer who writes
again after a person's reply is shown waiting since that message, and late against the
ticket's reply target, on the queue and ticket pages."""

from __future__ import annotations

import re
import time
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
    queue_row,
)
from tests.browser.test_console_messenger import open_messenger_ticket
from tests.stack import Stack

pytestmark = pytest.mark.integration


def test_a_customer_waiting_again_is_shown_late_on_the_queue_and_ticket_pages(
    stack: Stack, console: Callable[..., Page]  # noqa: F811
) -> None:
    ticket_id = open_messenger_ticket(stack, str(uuid.uuid4().int % 10**16))
    admin = ConsoleApi(stack.handoff_url, "szef")
    try:
        admin.call("POST", f"/api/tickets/{ticket_id}/claim")
        admin.call("POST", f"/api/tickets/{ticket_id}/reply", {"text": "Już sprawdzam."})
        # what the event feed writes when the customer's next message arrives (tested in
        # tests/handoff/test_sla_app.py), here two hours ago: past any reply target
        client = redis.Redis.from_url(stack.redis_url)
        try:
            client.hset(keys.ticket(ticket_id), "waiting_since", repr(time.time() - 2 * 3600))
        finally:
            client.close()
        detail = admin.call("GET", f"/api/tickets/{ticket_id}")["ticket"]
        assert detail["waiting_since"] and detail["first_response_at"]

        page = console("szef")
        expect(queue_row(page, ticket_id)).to_have_class(re.compile(r"\bis-late\b"))
        page.goto(f"{stack.handoff_url}/tickets/{ticket_id}")
        expect(page.locator("main")).to_contain_text("klient czeka od")
    finally:
        admin.call("POST", f"/api/tickets/{ticket_id}/resolve")
