"""rasa-webchat (npm ``rasa-webchat``, Botfront's widget for Rasa) against the product: its UMD
bundle as a brand embeds it, on a page of an allowed origin, through the real stack.

It speaks Rasa's socket.io protocol as it is: HTTP long-polling first, then the upgrade;
``session_request {"session_id": null}`` and the server's id from then on; ``customData``.
The page and the bundle are served by Playwright at the handoff service's origin (one of the
stack's ``WIDGET_ALLOWED_ORIGINS``); the bundle comes from node_modules (``make test`` installs it).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis.asyncio as aioredis
from playwright.sync_api import Browser, Page, expect

from bot.core.conversation_ids import valid_web_id
from handoff.accounts import Accounts, Role
from handoff.errors import Conflict
from ops.processes import REPO
from tests.browser.conftest import polish_page
from tests.integration.console import PASSWORD, Moderator, ticket_of
from tests.integration.test_conversation import faq_answer
from tests.stack import Stack

pytestmark = pytest.mark.integration

BUNDLE = REPO / "node_modules" / "rasa-webchat" / "lib" / "index.js"
BUNDLE_PATH = "/rasa-webchat/index.js"
REPLY = "Dzień dobry, tu Ola. Sprawdzam Twój zwrot."

# Rasa's docs and rasa-webchat's README embed it like this (a pinned version, the CDN's file).
PAGE = """<!doctype html>
<html lang="pl"><head><meta charset="utf-8"><title>Sklep z rasa-webchat</title></head>
<body><h1>Sklep z rasa-webchat</h1>
<script src="{bundle}"></script>
<script>
  WebChat.default({{socketUrl: {socket_url}, socketPath: "/socket.io/", customData: {{language: "pl"}},
                   embedded: true, title: "Sklep", inputTextFieldHint: "Twoja wiadomość"}}, null);
</script>
</body></html>"""


@pytest.fixture
def brand_page(chromium: Browser, stack: Stack) -> Iterator[Page]:
    if not BUNDLE.exists():
        pytest.fail(f"{BUNDLE} is missing: `make test` installs the test-only npm packages (bin/setup --test)")
    with polish_page(chromium, 1280, 800, "the rasa-webchat page") as page:
        page.route(f"{stack.handoff_url}{BUNDLE_PATH}",
                   lambda route: route.fulfill(body=BUNDLE.read_bytes(), content_type="text/javascript"))
        yield page


def open_shop(page: Page, stack: Stack) -> None:
    """The brand's page at an allowed origin. A real response of the handoff service first: a page
    Playwright made up has no address space, and Chromium's Private Network Access then refuses its
    requests to a loopback Rasa (the brand's public page and public Rasa host do not meet that)."""
    page.goto(f"{stack.handoff_url}/health")
    page.set_content(PAGE.format(bundle=BUNDLE_PATH, socket_url=json.dumps(stack.rasa_url)))


def say(page: Page, text: str) -> None:
    box = page.locator(".rw-new-message")
    box.fill(text)
    box.press("Enter")
    expect(page.locator(".rw-client").filter(has_text=text).last).to_be_visible()


def session_id(page: Page) -> str:
    stored = page.evaluate("() => localStorage.getItem('chat_session')")
    return str(json.loads(stored)["session_id"])


async def claim_and_reply(stack: Stack, conversation_id: str, text: str) -> None:
    """The moderator's side through the console API (as tests/integration/console.py does)."""
    client = aioredis.from_url(stack.redis_url, decode_responses=True)
    with contextlib.suppress(Conflict):  # made by an earlier test
        await Accounts(client).create("ola", "Ola", Role.MODERATOR, PASSWORD)
    await client.aclose()
    moderator = Moderator(stack, "ola")
    try:
        await moderator.sign_in()
        ticket = await ticket_of(stack, conversation_id)
        assert (await moderator.call("POST", f"/api/tickets/{ticket}/claim"))[0] == 200
        assert (await moderator.call("POST", f"/api/tickets/{ticket}/reply", {"text": text}))[0] == 200
    finally:
        await moderator.http.close()


def test_rasa_webchat_asks_gets_handed_to_a_person_and_shows_the_reply(stack: Stack, brand_page: Page) -> None:
    page = brand_page
    transports: list[str] = []
    page.on("request", lambda r: transports.append("polling") if "transport=polling" in r.url else None)
    page.on("websocket", lambda ws: transports.append("websocket") if "/socket.io/" in ws.url else None)
    open_shop(page, stack)
    expect(page.locator(".rw-new-message")).to_be_editable()

    say(page, "Jak zwrócić produkt?")
    answer = faq_answer("return_howto", "pl_ty")
    expect(page.locator(".rw-response").filter(has_text=answer[:60]).first).to_be_visible(timeout=30_000)
    conversation = session_id(page)
    assert valid_web_id(conversation)  # the server made it: rasa-webchat asked with none
    assert transports[0] == "polling" and "websocket" in transports  # rasa-webchat polls first, then upgrades

    # A vague question: the closest topics come as quick replies (Rasa's shape), a click answers it.
    say(page, "jak zwrocic towar kupiony przez internet?")
    choice = page.locator(".rw-reply").filter(has_text="Termin i zasady zwrotu")
    expect(choice).to_be_visible(timeout=30_000)
    choice.click()
    expect(page.locator(".rw-response").filter(has_text="14 dni").first).to_be_visible(timeout=30_000)

    say(page, "chcę rozmawiać z konsultantem")
    expect(page.locator(".rw-response").filter(has_text="w kolejce").first).to_be_visible(timeout=30_000)

    with ThreadPoolExecutor(1) as thread:  # Playwright's sync API holds this thread's event loop
        thread.submit(asyncio.run, claim_and_reply(stack, conversation, REPLY)).result(timeout=60)
    expect(page.locator(".rw-response").filter(has_text="dołącza do rozmowy").first).to_be_visible(timeout=30_000)
    reply = page.locator(".rw-response").filter(has_text=REPLY)
    expect(reply).to_have_count(1, timeout=30_000)
    expect(reply).to_contain_text("— Ola")
    # the handoff states without text (custom payloads) are not shown, not even as "undefined"
    expect(page.locator(".rw-response").filter(has_text="undefined")).to_have_count(0)

    # A reload reconnects with the id it was given: the server confirms that conversation again
    # (rasa-webchat logs "session_confirm:<socket id> session_id:<id>").
    with page.expect_console_message(lambda m: m.text.startswith("session_confirm:"), timeout=30_000) as confirm:
        open_shop(page, stack)
    assert confirm.value.text.endswith(f"session_id:{conversation}")
    expect(page.locator(".rw-response").filter(has_text=REPLY)).to_have_count(1)
