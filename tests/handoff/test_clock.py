"""Ticket time: the wall clock in production, a compressed weekend for ``make bench-team``."""

import asyncio
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
from aiohttp.test_utils import TestClient

from handoff import clock
from handoff.accounts import Accounts, Role
from handoff.app import create_app
from handoff.appkeys import REDIS, TICKETS
from handoff.assignment import AssignmentLimits
from handoff.clock import Clock
from handoff.models import TicketState
from handoff.settings import Settings, SettingsError
from tests.handoff.conftest import PASSWORD, SERVICE_TOKEN, Factory, settings, sign_in

SECRETS = {"RASA_TOKEN": "r" * 20, "HANDOFF_SERVICE_TOKEN": "s" * 20}
FRIDAY = datetime(2026, 3, 6, 16, 0, tzinfo=timezone.utc).timestamp()
SCALE = 600.0  # one real second is ten minutes


@pytest.fixture(autouse=True)
def wall_clock_after() -> Iterator[None]:
    yield
    clock.configure(Clock())  # the process's clock is module state: later tests read the wall's


def test_by_default_ticket_time_is_the_wall_clock() -> None:
    settings = Settings.from_env(SECRETS)
    assert settings.clock == Clock()
    clock.configure(settings.clock)
    before = time.time()
    assert before <= clock.now() <= time.time()
    assert clock.at(123.5) == 123.5 and clock.real_seconds(15) == 15


def test_a_scaled_clock_runs_from_its_start_at_its_origin() -> None:
    c = Clock.from_env({"HANDOFF_TIME_SCALE": "360", "HANDOFF_TIME_ORIGIN": "1000", "HANDOFF_TIME_START": "5000"})
    assert (c.at(1000), c.at(1001), c.at(1010)) == (5000, 5360, 8600)
    assert c.real_seconds(15 * 60) == 2.5  # a quarter of an hour of ticket time
    assert c.real_seconds(15) == 0.2  # never a busy loop: a look at most every 0.2 s
    assert Clock.from_env({"HANDOFF_TIME_SCALE": "2", "HANDOFF_TIME_ORIGIN": "10"}).at(11) == 12  # start = origin


@pytest.mark.parametrize(("env", "name"), [
    ({"HANDOFF_TIME_SCALE": "fast"}, "HANDOFF_TIME_SCALE"),
    ({"HANDOFF_TIME_SCALE": "0.5"}, "HANDOFF_TIME_SCALE"),
    ({"HANDOFF_TIME_SCALE": "1e9"}, "HANDOFF_TIME_SCALE"),
    ({"HANDOFF_TIME_SCALE": "nan"}, "HANDOFF_TIME_SCALE"),
    ({"HANDOFF_TIME_SCALE": "60"}, "HANDOFF_TIME_ORIGIN"),  # a scale needs the instant it counts from
    ({"HANDOFF_TIME_SCALE": "60", "HANDOFF_TIME_ORIGIN": "inf"}, "HANDOFF_TIME_ORIGIN"),
    ({"HANDOFF_TIME_SCALE": "60", "HANDOFF_TIME_ORIGIN": "1", "HANDOFF_TIME_START": "friday"}, "HANDOFF_TIME_START"),
])
def test_bad_clock_settings_name_the_variable(env: dict[str, str], name: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({**SECRETS, **env})


async def test_a_compressed_weekend_runs_tickets_and_timeouts_on_ticket_time(aiohttp_client: Factory,
                                                                            redis_url: str) -> None:
    """Created on Friday's clock, and an assignee who does not answer loses the ticket after ten minutes
    of ticket time: about a real second, since the assigner's sweeps are scaled too."""
    scaled = Clock(SCALE, time.time(), FRIDAY)
    app_client: TestClient = await aiohttp_client(create_app(settings(
        redis_url, clock=scaled, assignment=AssignmentLimits(assignee_timeout_seconds=600)), workers=False))
    accounts = Accounts(app_client.server.app[REDIS])
    for login, role in (("anna", Role.MODERATOR), ("ola", Role.ADMIN)):
        await accounts.create(login, login.title(), role, PASSWORD)
    ola = await sign_in(aiohttp_client, app_client, "ola")
    anna = await sign_in(aiohttp_client, app_client, "anna")
    assert (await ola.call("PUT", "/api/admin/teams/general", {"members": ["anna"], "fallback": True}))[0] == 200
    assert (await anna.call("PUT", "/api/status", {"status": "available"}))[0] == 200

    response = await app_client.post("/internal/tickets", headers={"Authorization": f"Bearer {SERVICE_TOKEN}"},
                                     json={"conversation_id": f"web:{uuid.uuid4()}", "reasons": ["human_request"],
                                           "exchanges": 1})
    assert response.status == 201
    ticket_id, store = str((await response.json())["ticket"]), app_client.server.app[TICKETS]
    ticket = await store.get(ticket_id)
    assert FRIDAY <= ticket.created_at <= scaled.at(time.time())

    started, seen = time.monotonic(), set()
    while time.monotonic() - started < 10:
        ticket = await store.get(ticket_id)
        seen.add((ticket.state, ticket.owner))
        if (TicketState.ASSIGNED, "anna") in seen and ticket.state == TicketState.QUEUED:
            break
        await asyncio.sleep(0.05)
    assert (TicketState.ASSIGNED, "anna") in seen, seen  # given to the available member
    assert ticket.state == TicketState.QUEUED, ticket  # and taken back, unanswered, within ten ticket minutes
    assert time.monotonic() - started < 5  # not the 15 s of an unscaled sweep
