"""Search on the queue page and the shift handover, in a real browser against the real stack."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_console import (  # noqa: F401  (fixtures)
    ConsoleApi,
    accounts,
    console,
    conversation_id,
    tickets,
)
from tests.stack import Stack

pytestmark = pytest.mark.integration


def test_search_by_customer_name_then_filter_by_channel(
    stack: Stack, console: Callable[..., Page], tickets: Callable[..., str]  # noqa: F811
) -> None:
    surname = "Szukajska" + uuid.uuid4().hex[:6]
    on_web = tickets(f"web:{uuid.uuid4()}", customer_name=f"Ewa {surname}")
    on_rest = tickets(conversation_id("search"), customer_name=f"Jan {surname}")
    page = console("anna")
    page.get_by_label("Szukaj (klient, numer, rozmowa, tag, notatka)").fill(surname.lower())
    page.get_by_role("button", name="Szukaj", exact=True).click()
    results = page.locator("#search-rows tr")
    expect(results).to_have_count(2)
    expect(page.locator("#search-rows")).to_contain_text(f"Jan {surname}")
    page.get_by_label("Kanał").select_option("webchat")
    page.get_by_role("button", name="Szukaj", exact=True).click()
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text(on_web)
    expect(page.locator("#search-rows")).not_to_contain_text(on_rest)
    assert "channel=webchat" in page.url and f"q={surname.lower()}" in page.url

    shared = console("bartek")  # the same view from the shared address
    shared.goto(page.url)
    expect(shared.locator("#search-rows tr")).to_have_count(1)
    expect(shared.get_by_label("Kanał")).to_have_value("webchat")


def test_an_important_note_is_highlighted_and_listed_in_the_handover(
    stack: Stack, console: Callable[..., Page], tickets: Callable[..., str], accounts: dict[str, Any]  # noqa: F811
) -> None:
    ticket_id = tickets(conversation_id("handover"), customer_name="Ola Przekazana")
    anna = ConsoleApi(stack.handoff_url, "anna")
    anna.call("POST", f"/api/tickets/{ticket_id}/claim")
    text = "Klientka czeka na telefon <b>jutro</b> " + uuid.uuid4().hex[:6]
    page = console("anna")
    page.goto(f"{stack.handoff_url}/tickets/{ticket_id}")
    page.get_by_label("Nowa notatka").fill(text)
    page.get_by_label("Ważna (do przekazania zmiany)").check()
    page.get_by_role("button", name="Dodaj notatkę").click()
    expect(page.locator("#notes li.vc-note.is-important", has_text=text)).to_have_count(1)  # highlighted
    page = console("bartek")
    page.get_by_role("link", name="Przekazanie zmiany").click()
    expect(page).to_have_url(f"{stack.handoff_url}/handover")
    note = page.locator("#handover-notes li", has_text=text)
    expect(note).to_have_count(1)  # markup shown as text
    expect(note.get_by_role("link", name=ticket_id)).to_be_visible()
    expect(page.locator("#handover-owners")).to_contain_text(ticket_id)
    assert text in page.locator("#handover-text").input_value()
