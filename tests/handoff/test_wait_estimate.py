"""The expected wait from the recent service rate (handoff.wait_estimate), on fixed numbers, and
through the app: claims in the window and the moderators available now make the estimate."""

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
from handoff.notify import queue_state, worth_telling
from handoff.wait_estimate import WaitSettings, expected_wait_minutes, open_minutes, rate_per_moderator
from tests.handoff.conftest import SERVICE_TOKEN

HOURS = OpeningHours.parse("08:00-22:00", "Europe/Warsaw")
WARSAW = ZoneInfo("Europe/Warsaw")


def at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=WARSAW).timestamp()


NOON = at("2026-11-26T12:00")


def test_before_any_claim_one_moderator_takes_a_ticket_every_five_minutes() -> None:
    rate = rate_per_moderator([], NOON, HOURS)
    assert rate == pytest.approx(0.2)
    assert expected_wait_minutes(1, 1, rate) == 5
    assert expected_wait_minutes(3, 1, rate) == 15
    assert expected_wait_minutes(3, 2, rate) == 10  # 7.5 minutes, told as 10


def test_the_rate_comes_from_the_claims_in_the_window() -> None:
    claims = [(NOON - 300 * m, "anna" if m % 2 else "piotr") for m in range(1, 13)]  # 12 in the last hour
    claims.append((NOON - 2 * 3600, "anna"))  # before the window: not counted
    rate = rate_per_moderator(claims, NOON, HOURS)
    assert rate == pytest.approx(14 / 130)  # (12 claims + 2 prior) / (2 moderators x 60 min + 10 prior)
    assert expected_wait_minutes(4, 2, rate) == 20  # 18.6 minutes
    assert rate_per_moderator(claims, NOON, HOURS, window_minutes=30) == pytest.approx(8 / 70)  # 6 in 30 minutes


def test_nobody_available_gives_no_number_not_infinity() -> None:
    assert expected_wait_minutes(1, 0, 0.2) is None
    assert expected_wait_minutes(5, 0, rate_per_moderator([], NOON, HOURS)) is None


def test_a_burst_of_new_tickets_lengthens_only_the_waits_behind_it() -> None:
    rate = rate_per_moderator([(NOON - 60, "anna")], NOON, HOURS)
    waits = [expected_wait_minutes(position, 2, rate) for position in range(1, 31)]
    assert waits[0] == 5 and waits == sorted(waits) and waits[-1] == 55  # 30 / (2 x 3/11) = 55 minutes


def test_the_night_is_not_service_time() -> None:
    assert open_minutes(HOURS, at("2026-11-26T07:10"), at("2026-11-26T08:10")) == pytest.approx(10)
    assert open_minutes(HOURS, at("2026-11-25T21:30"), at("2026-11-26T08:30")) == pytest.approx(60)
    morning = at("2026-11-26T08:10")
    rate = rate_per_moderator([(at("2026-11-26T07:50"), "anna"), (morning - 300, "anna")], morning, HOURS)
    assert rate == pytest.approx(4 / 20)  # 2 claims in the 10 open minutes since the first, not in 20
    assert expected_wait_minutes(3, 1, rate) == 15


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


async def test_the_expected_wait_follows_claims_and_who_is_available(app_client: TestClient, redis_url: str) -> None:
    app = app_client.server.app
    redis = aioredis.from_url(redis_url, decode_responses=True)
    assert "expected_wait_minutes" not in await queue_state(app, 3, now=NOON)  # nobody at a console
    await redis.zadd(keys.ONLINE, {"anna": NOON})
    assert (await queue_state(app, 3, now=NOON))["expected_wait_minutes"] == 15  # the default pace
    store = app[TICKETS]
    for n in range(6):
        ticket, _ = await store.create(f"web:{n}", "web", "pl", "", ["human_request"], [], now=NOON - 3000)
        await store.claim(ticket.id, "anna", "Anna", now=NOON - 600 + 60 * n)
    state = await queue_state(app, 3, now=NOON)
    assert state == {"state": "queued", "position": 3, "expected_wait_minutes": 10}  # 3 / (8 / 20) = 7.5 min
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
