"""The satisfaction survey in the widget: after a moderator resolves, 1-5 shows as a rating row with
labels "1 z 5"…; the click is shown as "4 z 5", thanked, and the comment lands on the ticket page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_handoff_e2e import ANGRY, console, sign_in
from tests.browser.test_widget import Widget, open_with_keyboard
from tests.stack import Stack

pytestmark = pytest.mark.integration
__all__ = ["console"]  # the signed-in moderator's page (fixture)
COMMENT = "Bardzo sprawnie, dziękuję"


def test_the_widget_customer_rates_and_the_ticket_page_shows_it(stack: Stack, shop: Page, console: Page) -> None:
    sign_in(console, stack)
    shop.goto(f"{stack.handoff_url}/demo")
    widget = Widget(shop)
    open_with_keyboard(shop, widget)
    expect(widget.say(ANGRY)).to_contain_text("w kolejce")

    row = console.locator("#queue-rows tr").filter(has_text="negatywne emocje").last
    expect(row).to_be_visible(timeout=15_000)
    row.get_by_role("link").first.click()
    console.locator("#claim-button").click()
    expect(widget.handoff).to_contain_text("Marta")
    console.locator("#resolve").click()
    console.locator("#confirm-ok").click()

    rating = shop.locator(".vc-rating")
    expect(rating).to_be_visible(timeout=15_000)
    expect(widget.bot.last).to_have_text("Jak oceniasz rozmowę z nami? 1 – źle, 5 – świetnie")
    for score in range(1, 6):
        expect(rating.get_by_role("button", name=f"{score} z 5")).to_be_visible()
    rating.get_by_role("button", name="4 z 5").click()
    expect(widget.user.last).to_have_text("4 z 5")
    expect(widget.bot.last).to_contain_text("Dziękujemy za ocenę!", timeout=15_000)
    expect(widget.quick_replies.filter(has_text="Pomiń")).to_be_enabled()

    expect(widget.say(COMMENT)).to_contain_text("Dziękujemy!")
    console.reload()
    expect(console.locator("#fact-rating")).to_have_text("4 z 5")
    expect(console.locator("#fact-rating-comment")).to_have_text(COMMENT)
