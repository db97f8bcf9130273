"""A public comment in the console, in a real browser against the real stack: the queue's badge,
the comment on the ticket page, and the public/private choice of the reply (greyed out once the
comment's one private reply is used)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_console import (  # noqa: F401  (fixtures)
    ConsoleApi,
    _run,
    accounts,
    console,
    queue_row,
)
from tests.integration.test_comments import feed, graph_calls, new_comment
from tests.integration.test_handoff import ANGRY
from tests.integration.test_messenger import post
from tests.stack import Stack

pytestmark = pytest.mark.integration
DEADLINE_SECONDS = 45


def wait_for(check: Callable[[], Any], what: str) -> Any:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"{what}: not seen in {DEADLINE_SECONDS} s")


def test_a_public_comment_is_answered_publicly_or_once_privately(
    stack: Stack, console: Callable[..., Page]  # noqa: F811
) -> None:
    change = new_comment(ANGRY)
    comment_id = change["value"]["comment_id"]
    assert _run(post(stack, feed(change)))[0] == 200
    admin = ConsoleApi(stack.handoff_url, "szef")
    ticket_id = wait_for(lambda: next((t["id"] for t in admin.call("GET", "/api/queue")["tickets"]
                                       if t["conversation_id"] == "comment:" + comment_id), None), "the ticket")
    try:
        page = console("anna")
        row = queue_row(page, ticket_id)
        expect(row).to_contain_text("Komentarz publiczny")
        row.get_by_role("button", name=f"Przejmij {ticket_id}").click()
        expect(page).to_have_url(f"{stack.handoff_url}/tickets/{ticket_id}")
        expect(page.locator("#comment-text")).to_have_text(ANGRY)
        expect(page.locator("#comment-link")).to_have_attribute("href", f"https://www.facebook.com/"
                                                                f"{change['value']['post_id']}?comment_id={comment_id}")
        expect(page.get_by_label("Publicznie, pod komentarzem")).to_be_checked()
        private = page.locator("#visibility-private")
        expect(private).to_be_enabled()

        private.check()
        page.get_by_label("Odpowiedź do klienta").fill("Napiszemy do Ciebie prywatnie.")
        page.get_by_role("button", name="Wyślij", exact=True).click()
        sent = wait_for(lambda: [c for c in _run(graph_calls(stack, comment_id))
                                 if c["path"].endswith("/me/messages")], "the private reply at the Graph API")
        assert sent[0]["body"]["message"]["text"] == "Napiszemy do Ciebie prywatnie.\n— Anna"

        page.reload()
        expect(page.locator("#visibility-private")).to_be_disabled()
        expect(page.locator("#visibility-private-label")).to_contain_text("już wysłana")
        expect(page.get_by_label("Publicznie, pod komentarzem")).to_be_checked()
    finally:
        admin.call("POST", f"/api/tickets/{ticket_id}/resolve")
