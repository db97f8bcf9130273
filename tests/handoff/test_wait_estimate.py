"""The expected wait from the recent service rate (handoff.wait_estimate), on fixed numbers, and
through the app: the replies lately, the replies owed and the moderators available now make it."""

import asyncio
import json
import time
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient

from bot.core import keys
from bot.core.settings import SettingsError
from handoff.appkeys import TICKETS
from handoff.hours import OpeningHours
from handoff.models import Ticket, TicketState
from handoff.notify import queue_state, worth_telling
from handoff.wait_estimate import (
    WaitSettings,
    expected_wait_minutes,
    minutes_per_reply,
    owed_replies,
    service_seconds,
)
from tests.handoff.conftest import SERVICE_TOKEN

HOURS = OpeningHours.parse("08:00-22:00", "Europe/Warsaw")
WARSAW = ZoneInfo("Europe/Warsaw")


def at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=WARSAW).timestamp()


NOON = at("2026-11-26T12:00")


def ticket(created: float, **fields: object) -> Ticket:
    return Ticket("T1", "web:x", "web", "pl", "", ["human_request"], [], TicketState.ASSIGNED, created,
                  **fields)  # type: ignore[arg-type]


def test_before_any_reply_one_takes_five_minutes() -> None:
    per_reply = minutes_per_reply([])
    assert per_reply == pytest.approx(5.0)
    assert expected_wait_minutes(0, 1, per_reply) == 5  # nobody ahead: their own reply
    assert expected_wait_minutes(2, 1, per_reply) == 15
    assert expected_wait_minutes(3, 2, per_reply) == 15  # (3/2 + 1) x 5 = 12.5 minutes, told as 15


def test_the_reply_time_comes_from_the_measured_replies_with_the_prior() -> None:
    assert minutes_per_reply([120.0] * 8) == pytest.approx((16 + 10) / 10)  # 8 two-minute replies and 2 x 5
    per_reply = minutes_per_reply([120.0] * 8)
    assert expected_wait_minutes(0, 3, per_reply) == 3  # 2.6 minutes: whole minutes under ten
    assert expected_wait_minutes(6, 3, per_reply) == 8  # (6/3 + 1) x 2.6 = 7.8
    assert expected_wait_minutes(30, 3, per_reply) == 30  # 28.6: nearest five from ten on


def test_a_replys_time_starts_when_its_moderator_could_start_on_it() -> None:
    now = NOON
    fresh = ticket(now - 600, claimed_at=now - 300)
    assert service_seconds(fresh, None, now) == 300  # from reaching them
    assert service_seconds(fresh, now - 120, now) == 120  # from their previous reply
    later = ticket(now - 3600, claimed_at=now - 3000, first_response_at=now - 2900, waiting_since=now - 200)
    assert service_seconds(later, now - 1000, now) == 200  # from the customer's new message
    assert service_seconds(ticket(now - 3600, first_response_at=now - 60), None, now) is None  # nobody waiting
    overnight = ticket(now - 12 * 3600, first_response_at=now - 11 * 3600, waiting_since=now - 10 * 3600)
    assert service_seconds(overnight, None, now) == 30 * 60  # a night is no reply's time: capped


def test_replies_owed_are_first_replies_and_answers_to_later_messages_not_pending_ones() -> None:
    tickets = [ticket(NOON), ticket(NOON, first_response_at=NOON + 60),
               ticket(NOON, first_response_at=NOON + 60, waiting_since=NOON + 120),
               ticket(NOON, pending_until=NOON + 3600),
               Ticket("T2", "web:y", "web", "pl", "", [], [], TicketState.QUEUED, NOON)]
    assert owed_replies(tickets) == 2


def test_nobody_available_gives_no_number_not_infinity() -> None:
    assert expected_wait_minutes(1, 0, 5.0) is None
    assert expected_wait_minutes(5, 0, minutes_per_reply([])) is None


def test_a_burst_of_new_tickets_lengthens_only_the_waits_behind_it() -> None:
    per_reply = minutes_per_reply([90.0] * 10)
    waits = [expected_wait_minutes(ahead, 2, per_reply) for ahead in range(30)]
    assert waits[0] == 2 and waits == sorted(waits) and waits[-1] == 30  # (29/2 + 1) x 2.08 = 32.3 minutes


def test_the_window_comes_from_the_environment() -> None:
    assert WaitSettings.from_env({}).window_minutes == 60
    assert WaitSettings.from_env({"HANDOFF_WAIT_WINDOW_MINUTES": "30"}).window_minutes == 30
    with pytest.raises(SettingsError, match="HANDOFF_WAIT_WINDOW_MINUTES"):
        WaitSettings.from_env({"HANDOFF_WAIT_WINDOW_MINUTES": "5"})


def test_a_customer_is_told_a_drop_a_move_or_a_new_state_not_a_rise_in_place() -> None:
    told = '{"expected_wait_minutes": 15, "position": 3, "state": "queued"}'
    assert worth_telling(told, {"state": "queued", "position": 3, "expected_wait_minutes": 10})
    assert not worth_telling(told, {"state": "queued", "position": 3, "expected_wait_minutes": 15})
    assert not worth_telling(told, {"state": "queued", "position": 3, "expected_wait_minutes": 20})
    assert worth_telling(told, {"state": "queued", "position": 2, "expected_wait_minutes": 20})
    assert worth_telling(told, {"state": "queued", "position": 3})  # nobody available any more
    assert worth_telling(None, {"state": "queued", "position": 3})


async def test_the_expected_wait_follows_replies_owed_and_who_is_available(app_client: TestClient,
                                                                           redis_url: str) -> None:
    app = app_client.server.app
    redis = aioredis.from_url(redis_url, decode_responses=True)
    assert "expected_wait_minutes" not in await queue_state(app, 3, now=NOON)  # nobody at a console
    await redis.zadd(keys.ONLINE, {"anna": NOON})
    assert (await queue_state(app, 3, now=NOON))["expected_wait_minutes"] == 15  # (2 + 1) x the default 5
    store = app[TICKETS]
    for n in range(6):
        ticket, _ = await store.create(f"web:{n}", "web", "pl", "", ["human_request"], [], now=NOON - 3000)
        await store.claim(ticket.id, "anna", "Anna", now=NOON - 600 + 60 * n)
        await store.reply(ticket.id, "anna", "Anna", "Dzień dobry", now=NOON - 570 + 60 * n)  # 30 s each
    state = await queue_state(app, 3, now=NOON)
    assert state == {"state": "queued", "position": 3, "expected_wait_minutes": 5}  # 3 x (3 + 10) / 8 = 4.9 min
    for n in range(2):  # two more with her, not answered yet: two replies owed before the queue's
        ticket, _ = await store.create(f"web:owed{n}", "web", "pl", "", ["human_request"], [], now=NOON - 60)
        await store.claim(ticket.id, "anna", "Anna", now=NOON - 30)
    assert (await queue_state(app, 3, now=NOON))["expected_wait_minutes"] == 8  # 5 x 1.625 = 8.1 min
    await redis.hset(keys.STATUS, "anna", "busy")
    assert "expected_wait_minutes" not in await queue_state(app, 3, now=NOON)  # busy is not available
    await redis.aclose()


async def test_a_refresh_pass_tells_a_wait_that_appeared_without_the_queue_moving(
    app_client: TestClient, redis_url: str,
) -> None:
    redis = aioredis.from_url(redis_url, decode_responses=True)
    response = await app_client.post("/internal/tickets", headers={"Authorization": f"Bearer {SERVICE_TOKEN}"},
                                     json={"conversation_id": f"web:{uuid.uuid4()}", "reasons": ["human_request"]})
    assert response.status == 201 and "expected_wait_minutes" not in (await response.json())["handoff"]
    await redis.zadd(keys.ONLINE, {"anna": time.time()})  # a moderator came: now there is a number
    await redis.delete(keys.NOTIFY_FRESH)  # the refresh interval passed: the app's notifier makes a pass
    deadline, told = time.monotonic() + 10, []
    while not told and time.monotonic() < deadline:
        told = [json.loads(e["payload"])["handoff"] for _, e in await redis.xrange(keys.OUTBOX) if e["kind"] == "queue"]
        await asyncio.sleep(0.02)
    assert len(told) == 1 and told[0]["position"] == 1 and told[0]["expected_wait_minutes"] == 5  # (and reply_by
    # when the test runs outside opening hours)
    await redis.aclose()
