"""The whole handoff in two real browsers: a customer in the widget, a moderator in the console."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from ops.processes import REPO
from tests.browser.conftest import polish_page
from tests.browser.test_widget import Widget, open_with_keyboard
from tests.stack import Stack

pytestmark = pytest.mark.integration
PASSWORD = "moderator password 2"
ANGRY = "To jest skandal!!! Od dwóch tygodni czekam na zwrot pieniędzy i nikt mi nie odpowiada, mam was dość"


def make_account(stack: Stack) -> None:
    """The way an admin does it: ``python -m handoff.admin add-user``."""
    result = subprocess.run(
        [str(REPO / ".venv/bin/python"), "-m", "handoff.admin", "add-user", "--login", "marta", "--name", "Marta",
         "--role", "moderator", "--password-stdin"],
        input=PASSWORD + "\n", capture_output=True, text=True, cwd=REPO, timeout=60,
        env={**os.environ, "REDIS_URL": stack.redis_url},
    )
    assert result.returncode == 0 or "exists" in result.stderr, result.stderr


@pytest.fixture
def console(chromium: Browser, stack: Stack) -> Iterator[Page]:
    make_account(stack)
    with polish_page(chromium, 1400, 900, "the console") as page:
        yield page


def sign_in(page: Page, stack: Stack) -> None:
    page.goto(f"{stack.handoff_url}/login")
    page.locator("input[name=login]").fill("marta")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(f"{stack.handoff_url}/")


def test_angry_customer_is_handed_to_a_moderator_and_back(stack: Stack, shop: Page, console: Page) -> None:
    sign_in(console, stack)  # the queue is open before the customer writes: the ticket must appear live
    shop.goto(f"{stack.handoff_url}/demo")
    widget = Widget(shop)
    open_with_keyboard(shop, widget)

    told = widget.say(ANGRY)
    expect(told).to_contain_text("w kolejce")
    expect(widget.handoff).to_be_visible()
    expect(widget.handoff).to_contain_text("w kolejce")
    conversation = widget.session_id()

    row = console.locator("#queue-rows tr").filter(has_text="negatywne emocje").last
    expect(row).to_be_visible(timeout=15_000)  # arrived without a reload
    row.get_by_role("link").first.click()
    expect(console.locator("#transcript")).to_contain_text(ANGRY)
    expect(console.locator("#reasons")).to_contain_text("negatywne emocje")
    console.locator("#claim-button").click()
    expect(console.locator("#reply-send")).to_be_enabled()
    expect(widget.handoff).to_contain_text("Marta")

    widget.input.fill("Halo, jest tam ktoś?")
    widget.input.press("Enter")
    expect(console.locator("#transcript")).to_contain_text("Halo, jest tam ktoś?")  # live, no reload

    console.locator("#reply-text").fill("Dzień dobry, tu Marta. Sprawdzam Pana zwrot, proszę chwilę poczekać.")
    console.locator("#reply-send").click()
    reply = widget.bot.filter(has_text="Sprawdzam Pana zwrot")
    expect(reply).to_be_visible(timeout=15_000)
    expect(reply).to_contain_text("— Marta")

    console.locator("#handback").click()
    console.locator("#confirm-ok").click()
    expect(widget.handoff).to_be_hidden(timeout=15_000)
    answer = widget.say("ile kosztuje dostawa?")
    expect(answer).to_contain_text("dostaw")
    assert conversation == widget.session_id()
