"""The web chat widget in a real browser, on the demo shop page, talking to the real stack.

Set UPDATE_SCREENSHOTS=1 to refresh docs/img/widget.png (the README's picture of the widget).
"""

from __future__ import annotations

import json
import os
import re
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, WebSocketRoute, expect

from ops.processes import REPO
from tests.stack import Stack

pytestmark = pytest.mark.integration

SESSION_ID = re.compile(r"^web:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
SCREENSHOT = REPO / "docs" / "img" / "widget.png"
XSS = "<img src=x onerror=alert(1)>"


class Widget:
    """The widget as a customer sees it (Playwright's locators reach into its open shadow root)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.launcher = page.locator("button.vc-launcher")
        self.dialog = page.get_by_role("dialog", name="Sklep Demo – czat")
        self.log = page.get_by_role("log")
        self.input = page.get_by_label("Twoja wiadomość")
        self.bot = page.locator(".vc-bot .vc-bubble")
        self.user = page.locator(".vc-user .vc-bubble")
        self.quick_replies = page.locator(".vc-quick-reply")
        self.handoff = page.locator(".vc-handoff")
        self.connection = page.locator(".vc-connection")
        self.typing = page.locator(".vc-typing")

    def say(self, text: str) -> Locator:
        """Type and press Enter; the first bot bubble that answers it."""
        before = self.bot.count()
        self.input.fill(text)
        self.input.press("Enter")
        expect(self.bot).to_have_count(before + 1, timeout=30_000)
        return self.bot.nth(before)

    def transcript(self) -> list[str]:
        return [text.strip() for text in self.page.locator(".vc-msg .vc-bubble").all_inner_texts()]

    def session_id(self) -> str:
        state = json.loads(self.page.evaluate("localStorage.getItem('voltaChat.v1')"))
        return str(state["sessionId"])


def focused_class(page: Page) -> str:
    """The class of the element that has the focus, inside the widget's shadow root if it is there."""
    return str(page.evaluate(
        "() => { const a = document.activeElement; return ((a && a.shadowRoot && a.shadowRoot.activeElement) || a)"
        ".className || ''; }"
    ))


def open_with_keyboard(page: Page, widget: Widget) -> None:
    for _ in range(30):
        page.keyboard.press("Tab")
        if "vc-launcher" in focused_class(page):
            break
    else:
        pytest.fail("the chat launcher cannot be reached with Tab")
    expect(widget.launcher).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    expect(widget.dialog).to_be_visible()
    expect(widget.launcher).to_have_attribute("aria-expanded", "true")
    expect(widget.input).to_be_focused()


def post_json(url: str, body: Any) -> None:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200


def test_polish_conversation_with_quick_replies_survives_a_reload(stack: Stack, shop: Page) -> None:
    alerts: list[str] = []
    shop.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
    shop.goto(f"{stack.handoff_url}/demo")
    expect(shop.get_by_role("heading", name="Sklep Demo")).to_be_visible()
    widget = Widget(shop)
    open_with_keyboard(shop, widget)
    expect(widget.log).to_have_attribute("aria-live", "polite")
    assert SESSION_ID.match(widget.session_id())

    # A vague question: the bot offers topics as quick replies; the chosen one answers it.
    expect(widget.say("jak zwrocic towar kupiony przez internet?")).not_to_be_empty()
    expect(widget.typing).to_be_hidden()
    expect(widget.quick_replies.first).to_be_visible()
    assert widget.quick_replies.count() >= 2
    if os.environ.get("UPDATE_SCREENSHOTS"):
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        shop.screenshot(path=str(SCREENSHOT))
    choice = widget.quick_replies.filter(has_text="Termin i zasady zwrotu")
    title = choice.inner_text().strip()
    before = widget.bot.count()
    choice.click()
    expect(widget.user.last).to_have_text(title)  # the title is shown, the payload is what was sent
    expect(widget.bot).to_have_count(before + 1, timeout=30_000)
    expect(widget.bot.last).to_contain_text("14 dni")
    for button in widget.quick_replies.all():
        expect(button).to_be_disabled()  # the question was answered: its buttons are spent

    # A plain question, answered straight away; "typing…" shows from sending until the answer.
    before = widget.bot.count()
    typing_shown = shop.evaluate(
        """() => { const root = document.querySelector('#volta-chat-widget').shadowRoot;
                   root.querySelector('#vc-input').value = 'ile kosztuje dostawa kurierem?';
                   root.querySelector('form').requestSubmit();
                   return !root.querySelector('.vc-typing').hidden; }"""
    )
    assert typing_shown
    expect(widget.bot).to_have_count(before + 1, timeout=30_000)
    expect(widget.bot.last).to_contain_text("zł")
    expect(widget.typing).to_be_hidden()

    # Markup typed by the customer is shown as text, never run.
    widget.say(XSS)
    expect(widget.user.last).to_have_text(XSS)
    assert shop.locator(".vc-log img").count() == 0
    assert alerts == []

    # A reload shows the whole conversation again, in the still-open panel.
    transcript = widget.transcript()
    assert len(transcript) == 9  # welcome + 4 questions + 4 answers
    shop.reload()
    expect(widget.dialog).to_be_visible()
    expect(shop.locator(".vc-msg .vc-bubble")).to_have_count(len(transcript))
    assert widget.transcript() == transcript
    expect(widget.quick_replies.first).to_be_disabled()

    # Escape closes the panel and gives the focus back to the launcher.
    widget.input.focus()
    shop.keyboard.press("Escape")
    expect(widget.dialog).to_be_hidden()
    expect(widget.launcher).to_have_attribute("aria-expanded", "false")
    assert "vc-launcher" in focused_class(shop)

    # "New conversation" forgets it all and starts a new session.
    old_session = widget.session_id()
    widget.launcher.click()
    shop.get_by_role("button", name="Nowa rozmowa").click()
    expect(shop.locator(".vc-user")).to_have_count(0)
    assert widget.session_id() != old_session
    assert SESSION_ID.match(widget.session_id())
    expect(widget.say("ile kosztuje dostawa kurierem?")).to_contain_text("zł")


def test_messages_typed_while_offline_are_sent_on_reconnect(stack: Stack, shop: Page) -> None:
    link = {"down": False}
    sockets: list[WebSocketRoute] = []

    def through(ws: WebSocketRoute) -> None:
        if link["down"]:
            ws.close()
            return
        ws.connect_to_server()
        sockets.append(ws)

    shop.route_web_socket(re.compile(r"/socket\.io/"), through)
    # the widget falls back to long-polling when a WebSocket fails: the link is down for that too
    shop.route(re.compile(r"/socket\.io/"),
               lambda route: route.abort("internetdisconnected") if link["down"] else route.continue_())
    shop.goto(f"{stack.handoff_url}/demo")
    widget = Widget(shop)
    widget.launcher.click()
    expect(widget.say("cześć")).to_be_visible()

    link["down"] = True
    for ws in sockets:
        ws.close()
    expect(widget.connection).to_be_visible()
    expect(widget.connection).to_contain_text("Brak połączenia")
    widget.input.fill("ile kosztuje dostawa kurierem?")
    widget.input.press("Enter")
    expect(widget.user.last).to_contain_text("ile kosztuje dostawa kurierem?")
    expect(shop.locator(".vc-pending")).to_have_count(1)
    shop.reload()  # even a reload while offline keeps what was typed
    expect(shop.locator(".vc-pending")).to_have_count(1)

    link["down"] = False
    expect(widget.connection).to_be_hidden(timeout=30_000)
    expect(widget.bot.last).to_contain_text("zł", timeout=30_000)
    expect(shop.locator(".vc-pending")).to_have_count(0)


def test_handoff_states_show_in_the_status_bar(stack: Stack, shop: Page) -> None:
    shop.goto(f"{stack.handoff_url}/demo")
    widget = Widget(shop)
    widget.launcher.click()
    expect(widget.say("cześć")).to_be_visible()  # the conversation's latest channel is now the widget
    events_url = (f"{stack.rasa_url}/conversations/{widget.session_id()}/tracker/events"
                  f"?token={stack.token}&execute_side_effects=true&output_channel=latest")

    def push(handoff: dict[str, Any]) -> None:
        post_json(events_url, [{"event": "bot", "text": None, "data": {"custom": {"handoff": handoff}}}])

    push({"state": "queued", "position": 3, "expected_wait_minutes": 12})
    expect(widget.handoff).to_have_text("Czekasz na konsultanta — jesteś 3. w kolejce, przewidywany czas ok. 12 min")
    push({"state": "queued", "position": 1, "expected_wait_minutes": 0, "reply_by": "2026-11-27T08:00:00+01:00"})
    expect(widget.handoff).to_contain_text("jesteś 1. w kolejce")
    expect(widget.handoff).to_contain_text("poza godzinami pracy — odpowiemy do 27 listopada, godz. 08:00")
    push({"state": "human", "moderator": "Anna"})
    expect(widget.handoff).to_have_text("Rozmawiasz z: Anna")
    moderator_text = "Dzień dobry, tu <b>Anna</b>. Już sprawdzam."  # bot and moderator text is text too
    post_json(events_url, [{"event": "bot", "text": moderator_text}])
    expect(widget.bot.last).to_have_text(moderator_text)
    assert shop.locator(".vc-log b").count() == 0
    shop.reload()
    expect(widget.handoff).to_have_text("Rozmawiasz z: Anna")  # the status is kept too
    if not widget.dialog.is_visible():
        widget.launcher.click()
    expect(widget.say("dzięki")).to_be_visible()  # the reloaded page's socket has joined its conversation
    push({"state": "bot"})
    expect(widget.handoff).to_be_hidden()


def test_english_widget_embedded_in_another_origins_page(stack: Stack, shop: Page) -> None:
    """The snippet on a shop of another origin that has a window.io of its own, in English, in a browser
    without crypto.randomUUID (as on a plain-http shop: it exists only in secure contexts)."""
    snippet = f'<script src="{stack.handoff_url}/widget/widget.js" data-rasa-url="{stack.rasa_url}" defer></script>'
    host_page = (
        "<!doctype html><html lang=en><head><title>Other shop</title></head><body><h1>Other shop</h1>"
        f"<script>window.io = 'the shop\\'s own io';</script>{snippet}</body></html>"
    )
    other_origin = stack.handoff_url.replace("127.0.0.1", "localhost")  # same server, another origin
    shop.route(f"{other_origin}/other-shop", lambda route: route.fulfill(body=host_page, content_type="text/html"))
    shop.add_init_script(
        "Object.defineProperty(navigator, 'language', {get: () => 'en-US'}); delete Crypto.prototype.randomUUID;"
    )
    # The page comes from Playwright, not from loopback, so Chromium's Local Network Access asks first.
    shop.context.grant_permissions(["local-network-access"], origin=other_origin)
    shop.goto(f"{other_origin}/other-shop")
    assert shop.evaluate("typeof crypto.randomUUID") == "undefined"
    launcher = shop.get_by_role("button", name="Open the customer service chat")
    launcher.click()
    expect(shop.get_by_role("dialog", name="Customer service chat")).to_be_visible()
    field = shop.get_by_label("Your message")
    expect(field).to_have_attribute("placeholder", "Type a message…")
    expect(field).to_have_attribute("maxlength", "2000")
    before = shop.locator(".vc-bot .vc-bubble").count()
    field.fill("   How do I return a product?   ")
    shop.get_by_role("button", name="Send").click()
    expect(shop.locator(".vc-user .vc-bubble").last).to_have_text("How do I return a product?")
    expect(shop.locator(".vc-bot .vc-bubble")).to_have_count(before + 1, timeout=30_000)
    expect(shop.locator(".vc-bot .vc-bubble").last).to_contain_text("return")
    assert SESSION_ID.match(Widget(shop).session_id())
    assert shop.evaluate("window.io") == "the shop's own io"


def test_a_customer_over_the_message_limit_is_told_to_wait(stack: Stack, shop: Page) -> None:
    # The test stack keeps the per-conversation limit at its default: 20 messages a minute.
    shop.goto(f"{stack.handoff_url}/demo")
    widget = Widget(shop)
    widget.launcher.click()
    expect(widget.say("cześć")).to_be_visible()
    for i in range(21):
        widget.input.fill(f"dzięki {i}")
        widget.input.press("Enter")
    expect(widget.connection).to_have_text(
        "Wysyłasz wiadomości bardzo szybko — poczekaj chwilę i wyślij ponownie.", timeout=30_000)
    expect(widget.connection).to_be_visible()
