"""Crisis mode (issue 16, part H) in real browsers against the real stack: the banner on the queue page,
the group's page, and an admin's statement reaching a widget customer of the group, signed by the team.

The stack opens no crisis by itself (HANDOFF_CRISIS_MIN_TICKETS is out of reach there, so the session's
other angry customers never show a banner); this test counts its tickets with a low threshold instead,
through ``handoff.crisis_store`` against the stack's Redis, as a new ticket would be counted."""

from __future__ import annotations

import dataclasses
import uuid

import pytest
import redis.asyncio as aioredis
from playwright.sync_api import Browser, Page, expect

from bot.core import keys
from handoff.crisis import CrisisSettings
from handoff.crisis_store import Crises
from handoff.models import Ticket
from tests.browser.conftest import polish_page
from tests.browser.test_console import ConsoleApi, _create_accounts, _run, sign_in
from tests.browser.test_console_teams import open_ticket
from tests.browser.test_handoff_e2e import ANGRY
from tests.browser.test_pending_consult import _ticket_of
from tests.browser.test_widget import Widget, open_with_keyboard
from tests.stack import Stack

pytestmark = pytest.mark.integration
STATEMENT = "Nasz przewoźnik ma awarię; paczki dotrą jutro. Przepraszamy."


async def _open_crisis(redis_url: str, topic: str, ticket_ids: list[str]) -> str:
    """Count the tickets as a wave of one topic (whatever topic the brain gave the widget's) and open it."""
    client = aioredis.from_url(redis_url, decode_responses=True)
    try:
        store, opened = Crises(client, CrisisSettings(min_tickets=len(ticket_ids), rise=1)), None
        for ticket_id in ticket_ids:
            ticket = Ticket.from_redis(await client.hgetall(keys.ticket(ticket_id)))
            wave = dataclasses.replace(ticket, reasons=["anger"], evidence=[{"kind": "topic", "faq_id": topic}])
            opened = await store.note_ticket(wave) or opened
        assert opened is not None and opened.tickets == len(ticket_ids)
        return opened.id
    finally:
        await client.aclose()


def test_the_banner_shows_a_crisis_and_an_admins_statement_reaches_the_group(
        chromium: Browser, stack: Stack, shop: Page) -> None:
    _run(_create_accounts(stack.redis_url))
    shop.goto(f"{stack.handoff_url}/demo")
    widget = Widget(shop)
    open_with_keyboard(shop, widget)
    expect(widget.say(ANGRY)).to_contain_text("w kolejce")
    topic = f"crisis-{uuid.uuid4().hex[:8]}"
    tickets = [_ticket_of(stack, widget.session_id()), open_ticket(stack, topic), open_ticket(stack, topic)]
    crisis_id = _open_crisis_sync(stack, topic, tickets)
    admin = ConsoleApi(stack.handoff_url, "szef")
    try:
        with polish_page(chromium, 1366, 900, "the console", no_dialogs=True) as page:
            sign_in(page, stack.handoff_url, "szef")
            banner = page.locator("#crisis-banner")
            expect(banner).to_contain_text(f"Kryzys: {topic} – 3 rozmów od")
            banner.get_by_role("link", name="Pokaż grupę").click()
            expect(page).to_have_url(f"{stack.handoff_url}/crises/{crisis_id}")
            for ticket_id in tickets:
                expect(page.locator("#crisis-tickets")).to_contain_text(ticket_id)
            page.get_by_label("Po polsku").fill(STATEMENT)
            page.get_by_role("button", name="Wyślij oświadczenie").click()
            expect(page.locator("#crisis-status")).to_contain_text("Wysłano: 3, już miały: 0")

            said = widget.bot.filter(has_text=STATEMENT)
            expect(said).to_be_visible(timeout=15_000)
            expect(said).to_contain_text("— Zespół obsługi klienta")

            page.get_by_role("button", name="Zamknij kryzys").click()
            expect(page.locator("#crisis-status")).to_have_text("Kryzys zamknięty.")
            expect(banner).to_be_hidden()
    finally:
        if admin.call("GET", "/api/crises")["crises"]:
            admin.call("POST", f"/api/admin/crises/{crisis_id}/close")
        for ticket_id in tickets:  # the session's other tests count on an empty queue
            admin.call("POST", f"/api/tickets/{ticket_id}/resolve")


def _open_crisis_sync(stack: Stack, topic: str, tickets: list[str]) -> str:
    return str(_run(_open_crisis(stack.redis_url, topic, tickets)))
