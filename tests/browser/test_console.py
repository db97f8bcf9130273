"""The moderator console in a real browser against the real stack: signing in, the queue updating live,
customer markup shown as text, two moderators claiming one ticket, and answering with a suggestion.

Set UPDATE_SCREENSHOTS=1 to refresh docs/img/console.png (the README's picture of the console).
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import json
import os
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import redis.asyncio as aioredis
from playwright.sync_api import Browser, Dialog, Page, Route, expect

from handoff.accounts import Accounts, Role
from handoff.errors import Conflict
from ops.processes import REPO
from tests.stack import Stack

pytestmark = pytest.mark.integration

SCREENSHOT = REPO / "docs" / "img" / "console.png"
XSS = "<img src=x onerror=alert(1)>"
LIVE_TIMEOUT_MS = 15_000  # well under the console's 30 s fallback poll: what arrives in time came live
DELIVERY_TIMEOUT_MS = 30_000
# login -> (display name, role, password)
ACCOUNTS = {
    "anna": ("Anna", Role.MODERATOR, "anna-console-password"),
    "bartek": ("Bartek", Role.MODERATOR, "bartek-console-password"),
    "szef": ("Szef Zmiany", Role.ADMIN, "szef-console-password"),
}


def _run(coroutine: Any) -> Any:
    """Run a coroutine to completion off this thread (Playwright's sync API owns this thread's loop)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def _create_accounts(redis_url: str) -> None:
    client = aioredis.from_url(redis_url, decode_responses=True)
    accounts = Accounts(client)
    try:
        for login, (name, role, password) in ACCOUNTS.items():
            try:
                await accounts.create(login, name, role, password)
            except Conflict:  # made by another test module of this session
                await accounts.set_password(login, password)
    finally:
        await client.aclose()


class ConsoleApi:
    """A signed-in moderator outside the browser, for setting up and tidying up."""

    def __init__(self, base_url: str, login: str) -> None:
        self.base_url = base_url
        cookies = urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        self.opener = urllib.request.build_opener(cookies)
        form = urllib.parse.urlencode({"login": login, "password": ACCOUNTS[login][2]}).encode()
        with self.opener.open(f"{base_url}/login", data=form, timeout=10) as response:
            assert response.url == f"{base_url}/", f"{login} could not sign in"
        self.csrf = self.call("GET", "/api/me")["csrf_token"]

    def call(self, method: str, path: str, body: Any = None) -> Any:
        request = urllib.request.Request(
            f"{self.base_url}{path}",
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "X-CSRF-Token": getattr(self, "csrf", "")},
        )
        with self.opener.open(request, timeout=10) as response:
            return json.loads(response.read())


@pytest.fixture(scope="module")
def accounts(stack: Stack) -> dict[str, tuple[str, Role, str]]:
    _run(_create_accounts(stack.redis_url))
    return ACCOUNTS


@pytest.fixture
def console(chromium: Browser, stack: Stack, accounts: dict[str, Any]) -> Iterator[Callable[..., Page]]:
    """Opens a fresh browser profile on the console, signed in as ``login`` (or not, with None)."""
    opened: list[tuple[Page, list[str]]] = []

    def open_console(login: str | None, block_live: bool = False) -> Page:
        context = chromium.new_context(
            locale="pl-PL", timezone_id="Europe/Warsaw", viewport={"width": 1366, "height": 900}
        )
        page = context.new_page()
        page.set_default_timeout(20_000)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))

        def unexpected_dialog(dialog: Dialog) -> None:  # alert(), confirm(): the console uses none
            errors.append(f"dialog: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", unexpected_dialog)
        if block_live:  # a page that has not heard the news yet
            page.route("**/api/live", lambda route: route.abort())
        opened.append((page, errors))
        if login is not None:
            sign_in(page, stack.handoff_url, login)
        return page

    yield open_console
    for page, errors in opened:
        page.context.close()
        assert not errors, f"JavaScript errors or dialogs on the page: {errors}"


@pytest.fixture
def tickets(stack: Stack, accounts: dict[str, Any]) -> Iterator[Callable[..., str]]:
    """Opens tickets through the action server's API; closes the ones still open afterwards, so that the
    queue positions other tests see are their own."""
    opened: list[str] = []

    def open_ticket(conversation_id: str, **fields: Any) -> str:
        body = {
            "conversation_id": conversation_id,
            "lang": "pl",
            "reasons": ["human_request"],
            "evidence": [],
            **fields,
        }
        request = urllib.request.Request(
            f"{stack.handoff_url}/internal/tickets",
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {stack.service_token}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            ticket_id = str(json.loads(response.read())["ticket"])
        opened.append(ticket_id)
        return ticket_id

    yield open_ticket
    admin = ConsoleApi(stack.handoff_url, "szef")
    for ticket_id in opened:
        try:
            admin.call("POST", f"/api/tickets/{ticket_id}/resolve")
        except urllib.error.HTTPError as e:
            assert e.code == 409, f"closing {ticket_id}: {e.code} {e.read()!r}"  # closed by the test itself


def sign_in(page: Page, base_url: str, login: str, password: str | None = None) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("Login").fill(login)
    page.get_by_label("Hasło").fill(password or ACCOUNTS[login][2])
    page.get_by_role("button", name="Zaloguj się").click()


def customer_says(stack: Stack, sender: str, text: str) -> list[dict[str, Any]]:
    """A customer message through Rasa's REST channel; the bot's answers (none while people own it)."""
    request = urllib.request.Request(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": text}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        answers: list[dict[str, Any]] = json.loads(response.read())
        return answers


def conversation_id(purpose: str) -> str:
    return f"console-{purpose}-{uuid.uuid4().hex[:12]}"


def queue_row(page: Page, ticket_id: str) -> Any:
    return page.locator("#queue-rows tr", has=page.get_by_role("link", name=ticket_id, exact=True))


def test_sign_in_refuses_a_wrong_password_then_lets_the_moderator_in(
    stack: Stack, console: Callable[..., Page]
) -> None:
    page = console(None)
    page.goto(f"{stack.handoff_url}/")
    expect(page).to_have_url(f"{stack.handoff_url}/login")  # the console needs a session

    sign_in(page, stack.handoff_url, "anna", "not-the-password")
    expect(page).to_have_url(f"{stack.handoff_url}/login?error=1")
    expect(page.get_by_role("alert")).to_have_text("Nieprawidłowy login lub hasło")
    expect(page.get_by_label("Login")).to_have_value("anna")
    page.get_by_role("button", name="Switch to English").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong login or password")
    page.get_by_role("button", name="Przełącz na polski").click()

    page.get_by_label("Hasło").fill(ACCOUNTS["anna"][2])
    page.get_by_label("Hasło").press("Enter")
    expect(page).to_have_url(f"{stack.handoff_url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kolejka zgłoszeń")
    expect(page.locator(".vc-me")).to_have_text("Zalogowano: Anna")
    expect(page.get_by_role("link", name="Statystyki")).to_be_visible()

    page.get_by_role("button", name="Wyloguj").click()
    expect(page).to_have_url(f"{stack.handoff_url}/login")
    page.goto(f"{stack.handoff_url}/stats")
    expect(page).to_have_url(f"{stack.handoff_url}/login")  # the session is gone


def test_a_new_ticket_appears_in_the_queue_without_a_reload(
    stack: Stack, console: Callable[..., Page], tickets: Callable[..., str]
) -> None:
    page = console("anna")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kolejka zgłoszeń")
    expect(page.locator(".vc-live")).to_have_text("Na żywo")  # subscribed before the ticket exists
    page.evaluate("window.__sameDocument = true")

    ticket_id = tickets(
        conversation_id("live"),
        customer_name="Zofia Kowalska",
        reasons=["legal_threat", "human_request"],
        evidence=[{"faq_id": "delivery_time", "title": "Czas dostawy", "score": 0.42}],
    )
    row = queue_row(page, ticket_id)
    expect(row).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    assert page.evaluate("window.__sameDocument") is True
    expect(row).to_contain_text("Zofia Kowalska")
    expect(row).to_contain_text("groźba prawna")
    expect(row).to_contain_text("prośba o człowieka")
    expect(row).to_contain_text("API")  # a conversation id of no known channel: tools and tests
    expect(row.locator(".vc-sla")).to_contain_text("zostało")
    waited = row.locator("[data-clock=wait]")
    before = waited.inner_text()
    expect(waited).not_to_have_text(before)  # the clock ticks
    expect(row.get_by_role("button", name=f"Przejmij {ticket_id}")).to_be_enabled()

    page.get_by_role("button", name="Switch to English").click()
    expect(row).to_contain_text("legal threat")
    expect(row.locator(".vc-sla")).to_contain_text("left")
    page.get_by_role("button", name="Przełącz na polski").click()
    expect(row).to_contain_text("groźba prawna")


def test_a_ticket_opened_before_the_live_feed_connects_shows_when_it_connects(
    stack: Stack, console: Callable[..., Page], tickets: Callable[..., str]
) -> None:
    page = console(None)
    held: list[Route] = []
    page.route("**/api/live", lambda route: held.append(route))  # the feed connects when the test says so
    with page.expect_response(lambda response: response.url.endswith("/api/queue")):
        sign_in(page, stack.handoff_url, "anna")  # the queue is loaded without the feed
    expect(page.locator(".vc-live")).to_have_text("Łączenie…")
    ticket_id = tickets(conversation_id("gap"), customer_name="Jan van Dijk")
    assert len(held) == 1
    held[0].continue_()
    expect(page.locator(".vc-live")).to_have_text("Na żywo")
    expect(queue_row(page, ticket_id)).to_be_visible(timeout=LIVE_TIMEOUT_MS)  # not at the 30 s poll


def test_customer_markup_is_shown_as_text_on_the_ticket_page(
    stack: Stack, console: Callable[..., Page], tickets: Callable[..., str]
) -> None:
    sender = conversation_id("xss")
    message = f"Paczka nie dotarła {XSS} <script>alert(2)</script>"
    customer_says(stack, sender, message)
    ticket_id = tickets(sender, customer_name="Ewa <b>Nowak</b>", reasons=["negative_sentiment"])

    page = console("anna")
    page.goto(f"{stack.handoff_url}/tickets/{ticket_id}")
    customer = page.locator(".vc-msg-customer .vc-bubble")
    expect(customer.first).to_have_text(message)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Zgłoszenie {ticket_id} · Ewa <b>Nowak</b>")
    expect(page.locator(".vc-msg-customer .vc-who strong").first).to_have_text("Ewa <b>Nowak</b>")
    assert page.locator("main img, main script, main b").count() == 0
    # The queue shows the name as typed too.
    page.goto(f"{stack.handoff_url}/")
    expect(queue_row(page, ticket_id)).to_contain_text("Ewa <b>Nowak</b>")
    assert page.locator("main b").count() == 0


def test_a_second_moderator_is_told_who_claimed_the_ticket_first(
    stack: Stack, console: Callable[..., Page], tickets: Callable[..., str]
) -> None:
    ticket_id = tickets(conversation_id("claim"), customer_name="Jan", reasons=["compensation"])
    anna = console("anna")
    bartek = console("bartek", block_live=True)  # his queue still shows the ticket as waiting
    expect(queue_row(bartek, ticket_id)).to_be_visible()
    expect(queue_row(anna, ticket_id)).to_be_visible()

    queue_row(anna, ticket_id).get_by_role("button", name=f"Przejmij {ticket_id}").click()
    expect(anna).to_have_url(f"{stack.handoff_url}/tickets/{ticket_id}")
    expect(anna.get_by_label("Odpowiedź do klienta")).to_be_enabled()
    expect(anna.locator("#fact-owner")).to_have_text("Anna")

    queue_row(bartek, ticket_id).get_by_role("button", name=f"Przejmij {ticket_id}").click()
    expect(bartek.get_by_role("alert")).to_contain_text(f"ticket {ticket_id} is already claimed by Anna")
    expect(bartek).to_have_url(f"{stack.handoff_url}/")
    row = queue_row(bartek, ticket_id)  # redrawn after the refusal: Anna has it
    expect(row).to_contain_text("Anna")
    expect(row.get_by_role("button", name=f"Przejmij {ticket_id}")).to_have_count(0)

    # Bartek's ticket page says who answers, and he cannot.
    bartek.goto(f"{stack.handoff_url}/tickets/{ticket_id}")
    expect(bartek.locator("#claim-hint")).to_contain_text("Rozmowę prowadzi Anna")
    expect(bartek.get_by_label("Odpowiedź do klienta")).to_be_disabled()
    expect(bartek.get_by_role("button", name="Rozwiąż")).to_be_disabled()


def test_moderator_answers_with_a_suggestion_while_the_customer_writes(
    stack: Stack, console: Callable[..., Page], tickets: Callable[..., str]
) -> None:
    sender = conversation_id("reply")
    customer_says(stack, sender, "Dzień dobry, ile trwa dostawa kurierem?")
    ticket_id = tickets(
        sender,
        customer_name="Marek Nowak",
        reasons=["negative_sentiment", "repeated_question"],
        evidence=[
            {"faq_id": "delivery_time", "title": "Czas dostawy", "score": 0.58},
            {"faq_id": "order_status", "title": "Status zamówienia i śledzenie przesyłki", "score": 0.51},
        ],
    )
    page = console("anna")
    page.goto(f"{stack.handoff_url}/tickets/{ticket_id}")
    transcript = page.get_by_role("log")
    expect(transcript.locator(".vc-msg-customer")).to_have_count(1)
    expect(transcript.locator(".vc-msg-bot").first).to_be_visible()
    expect(page.get_by_label("Odpowiedź do klienta")).to_be_disabled()
    expect(page.locator("#claim-hint")).to_contain_text("Przejmij, aby odpowiedzieć")

    # The customer writes while the page is open: the message arrives without a reload.
    angry = "Zamówiłem laptopa 12 dni temu i paczka dalej nie dotarła! Gdzie jest moje zamówienie?"
    customer_says(stack, sender, angry)
    expect(transcript.locator(".vc-msg-customer .vc-bubble").last).to_have_text(angry, timeout=LIVE_TIMEOUT_MS)

    page.locator("#claim-hint").get_by_role("button", name="Przejmij").click()
    reply = page.get_by_label("Odpowiedź do klienta")
    expect(reply).to_be_enabled()
    suggestions = page.locator(".vc-suggestion")
    expect(suggestions.first).to_be_visible()
    greeting = page.evaluate(f"fetch('/api/tickets/{ticket_id}').then(r => r.json()).then(d => d.greeting)")
    answer = suggestions.first.locator("p").inner_text()
    suggestions.first.get_by_role("button").click()
    expect(reply).to_be_focused()
    expect(reply).to_have_value(f"{greeting}\n\n{answer}" if greeting else answer)
    reply.press("End")
    reply.press_sequentially(" Sprawdzę też Twoje zamówienie.")
    reply.press("Control+Enter")
    expect(reply).to_have_value("")
    moderator = transcript.locator(".vc-msg-moderator:not(.is-pending)")
    expect(moderator).to_have_count(1, timeout=DELIVERY_TIMEOUT_MS)  # delivered through Rasa
    expect(moderator.locator(".vc-bubble")).to_contain_text("Sprawdzę też Twoje zamówienie.")
    expect(moderator.locator(".vc-who strong")).to_have_text("Anna")
    expect(page.locator(".vc-sla")).to_contain_text("odpowiedź po")

    page.get_by_label("Nowa notatka").fill("Klient czeka 12 dni; sprawdzić u przewoźnika.")
    page.get_by_role("button", name="Dodaj notatkę").click()
    expect(page.locator("#notes .vc-note")).to_have_count(1)
    page.get_by_label("Tagi (oddzielone przecinkami)").fill("dostawa, opóźnienie")
    page.get_by_role("button", name="Zapisz tagi").click()
    expect(page.locator("#tags li")).to_have_text(["dostawa", "opóźnienie"])
    if os.environ.get("UPDATE_SCREENSHOTS"):
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.locator("#vc-notice").evaluate("node => node.replaceChildren()")
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(SCREENSHOT))

    # Hand back, after confirming: the bot owns the conversation again.
    page.get_by_role("button", name="Oddaj botowi").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(f"Oddać rozmowę {ticket_id} botowi?")
    dialog.get_by_role("button", name="Anuluj").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#ticket-state")).to_have_text("przejęte")
    page.get_by_role("button", name="Oddaj botowi").click()
    dialog.get_by_role("button", name="Tak, oddaj botowi").click()
    expect(page.locator("#ticket-state")).to_have_text("oddane botowi")
    expect(reply).to_be_disabled()
