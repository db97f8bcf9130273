"""Teams in a real browser against the real stack: a moderator sets "available" in the console header,
and a new ticket of their team's topic appears assigned to them in their queue."""

from __future__ import annotations

import json
import urllib.request
import uuid
from collections.abc import Iterator

import pytest
import redis.asyncio as aioredis
from playwright.sync_api import Browser, expect

from handoff.accounts import Accounts, Role
from handoff.errors import Conflict
from handoff.presence import set_status
from tests.browser.conftest import polish_page
from tests.browser.test_console import ConsoleApi, _create_accounts, _run, queue_row, sign_in
from tests.stack import Stack

pytestmark = pytest.mark.integration

ASSIGN_TIMEOUT_MS = 15_000  # the assigner is woken by the new ticket; its slowest look is a second away
ZOSIA = ("Zosia", Role.MODERATOR, "zosia-console-password")


def open_ticket(stack: Stack, topic: str) -> str:
    body = {"conversation_id": f"web:{uuid.uuid4()}", "lang": "pl", "reasons": ["human_request"],
            "evidence": [{"faq_id": topic, "title": topic, "score": 0.9, "kind": "topic"}]}
    request = urllib.request.Request(f"{stack.handoff_url}/internal/tickets", data=json.dumps(body).encode(),
                                     method="POST", headers={"Content-Type": "application/json",
                                                             "Authorization": f"Bearer {stack.service_token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return str(json.loads(response.read())["ticket"])


async def _create_zosia(redis_url: str) -> None:
    client = aioredis.from_url(redis_url, decode_responses=True)
    try:
        await Accounts(client).create("zosia", ZOSIA[0], ZOSIA[1], ZOSIA[2])
    except Conflict:  # made by an earlier run against the same stack
        pass
    finally:
        await client.aclose()


@pytest.fixture
def team(stack: Stack) -> Iterator[tuple[str, str]]:
    """A team of Zosia alone covering a topic no other test uses; removed afterwards, with its tickets
    closed, so other tests of the session see no automatic assignment."""
    _run(_create_accounts(stack.redis_url))  # the console tests' admin, "szef"
    _run(_create_zosia(stack.redis_url))
    admin, name = ConsoleApi(stack.handoff_url, "szef"), f"t-{uuid.uuid4().hex[:8]}"
    topic = f"topic-{name}"
    admin.call("PUT", f"/api/admin/teams/{name}", {"members": ["zosia"], "topics": [topic]})
    yield name, topic
    admin.call("DELETE", f"/api/admin/teams/{name}")
    for ticket in admin.call("GET", "/api/queue")["tickets"]:
        if ticket["team"] == name:
            admin.call("POST", f"/api/tickets/{ticket['id']}/resolve")
    _run(_away(stack.redis_url))


async def _away(redis_url: str) -> None:
    client = aioredis.from_url(redis_url, decode_responses=True)
    try:
        await set_status(client, "zosia", "away")
    finally:
        await client.aclose()


def test_an_available_moderator_gets_their_teams_new_ticket(chromium: Browser, stack: Stack,
                                                            team: tuple[str, str]) -> None:
    name, topic = team
    with polish_page(chromium, 1366, 900, "the console", no_dialogs=True) as page:
        sign_in(page, stack.handoff_url, "zosia", ZOSIA[2])
        status = page.get_by_label("Mój status")
        status.select_option("busy")
        expect(status).to_have_attribute("data-status", "busy")
        status.select_option("available")
        expect(status).to_have_attribute("data-status", "available")  # the server took it
        ticket_id = open_ticket(stack, topic)
        row = queue_row(page, ticket_id)
        expect(row).to_contain_text("Zosia", timeout=ASSIGN_TIMEOUT_MS)  # assigned to her, shown live
        expect(row).to_contain_text(name)
        loads = page.locator(f'#team-loads li[data-team="{name}"]')
        expect(loads).to_contain_text("zosia: 1/5 (dostępny)")
        page.get_by_label("Pokaż").select_option("mine")
        expect(row).to_be_visible()
