"""Pending with a promised time and consulting an expert by e-mail (issue 16, part C), in real
browsers against the real stack: a customer in the widget, a moderator in the console, a local SMTP
server (aiosmtpd) as the expert's mailbox and the inbound mail webhook as their reply."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from handoff.consult import token_of
from tests.browser.test_handoff_e2e import ANGRY, console, sign_in  # noqa: F401 - console is a fixture
from tests.browser.test_widget import Widget, open_with_keyboard
from tests.fakes.smtp_sink import SmtpSink
from tests.stack import INBOUND_EMAIL_TOKEN, Stack

pytestmark = pytest.mark.integration
WARSAW = ZoneInfo("Europe/Warsaw")  # the console's browser and the brand (HANDOFF_TIMEZONE's default)
PENDING_AHEAD_SECONDS = 15
EXPERT = "ewa.ekspert@volta.example"


def _ticket_of(stack: Stack, conversation: str) -> str:
    request = urllib.request.Request(f"{stack.handoff_url}/internal/conversations/{conversation}",
                                     headers={"Authorization": f"Bearer {stack.service_token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return str(json.loads(response.read())["ticket"])


def claimed_ticket(stack: Stack, shop: Page, console: Page) -> tuple[Widget, str]:  # noqa: F811
    """A customer hands over in the widget; the moderator opens and claims the ticket."""
    sign_in(console, stack)
    shop.goto(f"{stack.handoff_url}/demo")
    widget = Widget(shop)
    open_with_keyboard(shop, widget)
    expect(widget.say(ANGRY)).to_contain_text("w kolejce")
    ticket = _ticket_of(stack, widget.session_id())
    console.goto(f"{stack.handoff_url}/tickets/{ticket}")
    console.locator("#claim-button").click()
    expect(widget.handoff).to_contain_text("Marta")
    return widget, ticket


def test_a_pending_promise_reaches_the_customer_and_comes_due_first_in_the_list(
        stack: Stack, shop: Page, console: Page) -> None:  # noqa: F811
    widget, ticket = claimed_ticket(stack, shop, console)
    expect(console.locator("#pending-form")).to_be_visible()
    until = datetime.fromtimestamp(time.time() + PENDING_AHEAD_SECONDS, tz=WARSAW).strftime("%Y-%m-%dT%H:%M:%S")
    console.locator("#pending-until").fill(until)
    expect(console.locator("#pending-message")).to_have_value(  # "do 10:00", or "do jutra 00:00" near midnight
        re.compile(rf"^Sprawdzę to u osoby odpowiedzialnej i wrócę do Ciebie do .*{until[11:16]}\.$"))
    console.locator("#pending-set").click()
    expect(console.locator("#pending-status")).to_contain_text("oczekuje do")
    console.goto(f"{stack.handoff_url}/")
    mine = console.locator(f'#queue-rows tr[data-ticket="{ticket}"]')
    expect(mine.locator(".vc-pending")).to_contain_text("oczekuje do")

    promise = widget.bot.filter(has_text="Sprawdzę to u osoby odpowiedzialnej")
    expect(promise).to_be_visible(timeout=15_000)
    expect(promise).to_contain_text("— Marta")

    # the watcher looks every second: due within moments of the promised time, without a reload
    expect(mine).to_have_class(re.compile(r"\bis-due\b"), timeout=PENDING_AHEAD_SECONDS * 1000 + 15_000)
    expect(console.locator("#queue-rows tr").first).to_have_attribute("data-ticket", ticket)
    expect(mine.locator(".vc-due")).to_have_text("termin minął")


def _inbound(stack: Stack, fields: dict[str, str]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(f"{stack.handoff_url}/inbound/email", data=json.dumps(fields).encode(),
                                     headers={"Authorization": f"Bearer {INBOUND_EMAIL_TOKEN}",
                                              "Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_the_moderator_consults_an_expert_whose_answer_lands_in_the_ticket(
        stack: Stack, shop: Page, console: Page) -> None:  # noqa: F811
    with SmtpSink(stack.smtp_port) as sink:
        _, ticket = claimed_ticket(stack, shop, console)
        form = console.locator("#consult-form")
        expect(form).to_be_visible()
        console.locator("#consult-expert").select_option(EXPERT)
        expect(console.locator("#consult-to")).to_have_value(EXPERT)
        console.locator("#consult-question").fill("Czy możemy zwrócić pieniądze po 20 dniach?")
        console.locator("#consult-send").click()
        expect(console.locator("#notes")).to_contain_text("Czy możemy zwrócić pieniądze po 20 dniach?")
        [mail] = sink.messages  # sent before the API answered, and the note came after it
        token = token_of(mail["Reply-To"], mail["Subject"])
        assert token and mail["To"] == EXPERT and ANGRY in mail.get_content()

        reply = {"to": mail["Reply-To"], "from": EXPERT, "subject": f"Re: {mail['Subject']}",
                 "text": "Tak, wyjątkowo można.\n\nOn Mon, Volta wrote:\n> Czy możemy"}
        status, body = _inbound(stack, {**reply, "from": "mallory@evil.example"})
        assert status == 403 and "from" in body["error"]
        status, body = _inbound(stack, {**reply, "to": "care+consult-" + "0" * 32 + "@volta.example",
                                        "subject": "Re"})
        assert status == 404 and "no open consultation" in body["error"]
        expect(console.locator("#notes .is-expert")).to_have_count(0)

        assert _inbound(stack, reply) == (201, {"ticket": ticket})
        note = console.locator("#notes .is-expert")
        expect(note).to_contain_text("Tak, wyjątkowo można.", timeout=15_000)  # live, no reload
        expect(note.locator(".vc-expert-badge")).to_have_text("ekspert")
        expect(note).not_to_contain_text("On Mon")
