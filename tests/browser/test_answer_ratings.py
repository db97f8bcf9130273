"""A customer rates an FAQ answer in the widget and the admin's report lists it; the stats page's report
over a window (real browser, real stack)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
import redis
from playwright.sync_api import Page, expect

from bot.core.keys import TrackerKeys
from tests.browser.test_admin import accounts, browse
from tests.browser.test_widget import Widget, open_with_keyboard
from tests.stack import Stack

pytestmark = pytest.mark.integration
__all__ = ["accounts", "browse"]  # the admin page's fixtures

QUESTION = "Jak zwrócić produkt?"


def test_a_not_helpful_answer_is_stored_once_and_reaches_the_admin_report(
    stack: Stack, shop: Page, browse: Callable[[str], Page],
) -> None:
    shop.goto(f"{stack.handoff_url}/demo")
    widget = Widget(shop)
    open_with_keyboard(shop, widget)
    widget.say(QUESTION)
    rating = shop.get_by_role("group", name="Czy ta odpowiedź pomogła?").last
    helpful, unhelpful = (rating.get_by_role("button", name="Pomocne", exact=True),
                          rating.get_by_role("button", name="Niepomocne", exact=True))
    expect(helpful).to_be_enabled()
    unhelpful.click()
    expect(rating.get_by_role("status")).to_have_text("Dziękujemy za ocenę.")  # the channel confirmed it
    expect(unhelpful).to_have_attribute("aria-pressed", "true")
    expect(helpful).to_be_disabled()
    expect(unhelpful).to_be_disabled()  # once per answer

    client = redis.Redis.from_url(stack.redis_url, decode_responses=True)
    try:
        session_id = widget.session_id()
        mine = [f for _, f in client.xrange(TrackerKeys().answer_ratings) if f["conversation"] == session_id]
        events = [json.loads(e) for e in client.lrange(TrackerKeys().events(session_id), 0, -1)]
    finally:
        client.close()
    answer = [e for e in events if e["event"] == "bot"][-1]
    assert [(f["helpful"], f["faq_id"]) for f in mine] == [("0", answer["metadata"]["bot_faq_id"])]

    page = browse("szef")
    page.goto(f"{stack.handoff_url}/admin")
    section = page.get_by_role("region", name="Odpowiedzi oceniane jako niepomocne")
    item = section.locator(f'li[data-faq="{mine[0]["faq_id"]}"]')
    expect(item).to_contain_text("niepomocne: ")
    expect(item.get_by_role("list")).to_contain_text(QUESTION)


def test_the_stats_page_charts_the_days_of_the_chosen_window(stack: Stack, browse: Callable[[str], Page]) -> None:
    page = browse("anna")
    page.goto(f"{stack.handoff_url}/stats")
    report = page.get_by_role("region", name="Raport za okres")
    expect(report.locator("#chart-volume g.vc-bar")).to_have_count(7)  # 7 days by default, empty days too
    expect(report.get_by_role("img", name="Pierwsza odpowiedź, p90, dziennie")).to_be_visible()
    expect(report.get_by_role("link", name="Pobierz CSV")).to_have_attribute("href", "/api/stats.csv?window=7d")
    report.get_by_label("Okres").select_option("30d")
    expect(report.locator("#chart-first-p90 g.vc-bar")).to_have_count(30)
    expect(report.get_by_role("link", name="Pobierz CSV")).to_have_attribute("href", "/api/stats.csv?window=30d")
    expect(report.get_by_role("table", name="Razem")).to_contain_text("wszystkie")
