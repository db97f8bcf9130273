"""Canned answers in a real browser against the real stack: an admin adds one on the admin page, a
moderator on Zofia Kowalska's ticket types "/zw", picks it with the keyboard, and the reply box
holds it personalised ("Cześć Zofio, ..."), markup as text; the reply reaches the customer signed."""

from __future__ import annotations

import urllib.error
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_console import (  # noqa: F401 (fixtures)
    DELIVERY_TIMEOUT_MS,
    ConsoleApi,
    accounts,
    console,
    conversation_id,
    customer_says,
    tickets,
)
from tests.stack import Stack

pytestmark = pytest.mark.integration

XSS = "<img src=x onerror=alert(1)>"
TEXT = "Cześć {imie}, zwrot jest darmowy przez 30 dni. " + XSS
OTHER = {"shortcut": "zwrot-koszt", "title": "Koszt zwrotu", "topic": "return_cost",
         "text": {"pl_ty": "Odesłanie paczki nic nie kosztuje, {imie}."}}


@pytest.fixture
def admin_api(stack: Stack, accounts: dict[str, Any]) -> Iterator[ConsoleApi]:  # noqa: F811
    """The admin's API; no canned answer of this test before or after it."""
    api = ConsoleApi(stack.handoff_url, "szef")

    def tidy() -> None:
        for shortcut in ("zwrot", OTHER["shortcut"]):
            try:
                api.call("DELETE", f"/api/admin/canned/{shortcut}")
            except urllib.error.HTTPError as e:
                assert e.code == 404

    tidy()
    yield api
    tidy()


def test_a_moderator_inserts_a_canned_answer_personalised(
    stack: Stack, console: Callable[..., Page], tickets: Callable[..., str], admin_api: ConsoleApi  # noqa: F811
) -> None:
    admin = console("szef")
    admin.goto(f"{stack.handoff_url}/admin")
    admin.get_by_label("Skrót (po /)").fill("zwrot")
    admin.get_by_label("Tytuł").fill("Zwrot towaru")
    admin.get_by_label("Temat FAQ (opcjonalnie)").fill("return_howto")
    admin.get_by_label("Tekst: polski, na „ty”").fill(TEXT)
    admin.get_by_role("button", name="Dodaj odpowiedź").click()
    item = admin.locator("#canned-admin-list .vc-canned-item[data-shortcut='zwrot']")
    expect(item).to_contain_text("Zwrot towaru")
    expect(item.locator(".vc-canned-preview")).to_have_text(TEXT)  # as typed, markup as text
    admin_api.call("POST", "/api/admin/canned", OTHER)

    sender = conversation_id("canned")
    customer_says(stack, sender, "Jak zwrócić buty?")
    ticket_id = tickets(sender, customer_name="Zofia Kowalska",
                        evidence=[{"faq_id": "return_howto", "title": "Zwrot", "score": 0.6}])
    page = console("anna")
    page.goto(f"{stack.handoff_url}/tickets/{ticket_id}")
    page.locator("#claim-hint").get_by_role("button", name="Przejmij").click()
    reply = page.get_by_label("Odpowiedź do klienta")
    expect(reply).to_be_enabled()

    # The button lists them by topic, the ticket's topic first.
    page.get_by_role("button", name="Gotowe odpowiedzi").click()
    listbox = page.get_by_role("listbox")
    expect(listbox.get_by_role("group").first).to_contain_text("Temat zgłoszenia: return_howto")
    reply.press("Escape")
    expect(listbox).to_be_hidden()

    reply.press_sequentially("/zw")
    options = listbox.get_by_role("option")
    expect(options).to_have_count(2)
    expect(options.first).to_have_attribute("aria-selected", "true")
    reply.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    reply.press("ArrowUp")
    expect(options.first).to_have_attribute("aria-selected", "true")
    reply.press("Enter")
    expect(listbox).to_be_hidden()
    personal = "Cześć Zofio, zwrot jest darmowy przez 30 dni. " + XSS
    expect(reply).to_have_value(personal)

    reply.press("Control+Enter")
    expect(reply).to_have_value("")
    moderator = page.get_by_role("log").locator(".vc-msg-moderator:not(.is-pending) .vc-bubble")
    expect(moderator).to_have_count(1, timeout=DELIVERY_TIMEOUT_MS)  # delivered through Rasa
    expect(moderator).to_have_text(f"{personal}\n— Anna")  # what the customer got: signed, plain text
    expect(page.locator("main img")).to_have_count(0)
