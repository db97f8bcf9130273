"""The later-reply SLA through the app: the event feed starts a waiting spell, a reply ends it (a late one
counted once), a team's own targets apply, bad targets are named and change nothing."""

import asyncio
import json
import time
import uuid
from typing import Any

import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient

from bot.core import keys
from handoff.admin import main
from handoff.appkeys import REDIS, TICKETS
from handoff.feed import EventFeed
from tests.handoff.conftest import SERVICE_TOKEN, Console, Factory, sign_in

SERVICE = {"Authorization": f"Bearer {SERVICE_TOKEN}"}


async def answered_ticket(client: TestClient, anna: Console) -> tuple[str, str]:
    conversation = f"web:{uuid.uuid4()}"
    response = await client.post("/internal/tickets", headers=SERVICE,
                                 json={"conversation_id": conversation, "reasons": ["human_request"], "exchanges": 1})
    ticket_id = str((await response.json())["ticket"])
    assert (await anna.call("POST", f"/api/tickets/{ticket_id}/claim"))[0] == 200
    assert (await anna.call("POST", f"/api/tickets/{ticket_id}/reply", {"text": "Dzień dobry"}))[0] == 200
    return ticket_id, conversation


async def customer_writes(client: TestClient, conversation: str, at: float) -> None:
    event = {"event": "user", "timestamp": at, "text": "jest ktoś?"}
    await EventFeed(client.server.app[REDIS])("1-0", {"sender_id": conversation, "event": json.dumps(event)})


async def queued(anna: Console, ticket_id: str) -> dict[str, Any]:
    status, body = await anna.call("GET", "/api/queue")
    assert status == 200
    return next(t for t in body["tickets"] if t["id"] == ticket_id)


async def test_a_spell_starts_with_the_customers_message_and_a_late_reply_counts_once(
        app_client: TestClient, aiohttp_client: Factory) -> None:
    anna = await sign_in(aiohttp_client, app_client, "anna")
    ticket_id, conversation = await answered_ticket(app_client, anna)
    store, long_ago = app_client.server.app[TICKETS], time.time() - 3600
    assert (await store.get(ticket_id)).waiting_since is None
    await customer_writes(app_client, conversation, long_ago)
    await customer_writes(app_client, conversation, long_ago + 60)  # the oldest message counts
    assert (await store.get(ticket_id)).waiting_since == long_ago
    shown = await queued(anna, ticket_id)
    assert (shown["waiting_since"], shown["sla_minutes"], shown["waiting_breached"]) == (long_ago, 30, True)

    for _ in range(2):  # the second reply ends no spell: nothing more is counted
        assert (await anna.call("POST", f"/api/tickets/{ticket_id}/reply", {"text": "Już jestem"}))[0] == 200
    ticket = await store.get(ticket_id)
    assert (ticket.waiting_since, ticket.reply_breaches) == (None, 1)
    status, stats = await anna.call("GET", "/api/stats?window=today")
    assert status == 200 and stats["report"]["total"]["reply_breaches"] == 1
    assert stats["report"]["total"]["resolution_breaches"] == 0
    metrics = await (await app_client.get("/metrics")).text()
    assert "volta_handoff_reply_breaches_total 1" in metrics


async def test_a_reply_in_time_is_no_breach(
        app_client: TestClient, aiohttp_client: Factory) -> None:
    anna = await sign_in(aiohttp_client, app_client, "anna")
    ticket_id, conversation = await answered_ticket(app_client, anna)
    await customer_writes(app_client, conversation, time.time())
    assert (await anna.call("POST", f"/api/tickets/{ticket_id}/reply", {"text": "Już jestem"}))[0] == 200
    assert (await app_client.server.app[TICKETS].get(ticket_id)).reply_breaches == 0


async def test_before_the_first_reply_the_clock_runs_from_the_handoff(
        app_client: TestClient, aiohttp_client: Factory) -> None:
    anna = await sign_in(aiohttp_client, app_client, "anna")
    conversation = f"web:{uuid.uuid4()}"
    response = await app_client.post("/internal/tickets", headers=SERVICE, json={
        "conversation_id": conversation, "reasons": ["human_request"], "exchanges": 1})
    waiting = str((await response.json())["ticket"])
    await customer_writes(app_client, conversation, time.time())  # before any reply: the first-reply clock
    ticket = await app_client.server.app[TICKETS].get(waiting)
    assert ticket.waiting_since is None and (await queued(anna, waiting))["waiting_since"] == ticket.created_at


async def test_a_teams_own_targets_apply_and_survive_replacing_the_team(
        app_client: TestClient, aiohttp_client: Factory) -> None:
    ola, anna = [await sign_in(aiohttp_client, app_client, login) for login in ("ola", "anna")]
    assert (await ola.call("PUT", "/api/admin/teams/web", {"members": ["anna"], "channels": ["webchat"]}))[0] == 200
    status, team = await ola.call("PUT", "/api/admin/teams/web/sla", {"sla_minutes": 5, "reply_sla_minutes": 7})
    assert status == 200 and (team["sla_minutes"], team["reply_sla_minutes"], team["resolution_sla_minutes"]) == (
        5, 7, None)
    assert (await ola.call("PUT", "/api/admin/teams/web", {"members": ["anna", "piotr"],
                                                            "channels": ["webchat"]}))[0] == 200
    ticket_id, conversation = await answered_ticket(app_client, anna)
    assert (await app_client.server.app[TICKETS].get(ticket_id)).team == "web"
    await customer_writes(app_client, conversation, time.time())
    assert (await queued(anna, ticket_id))["sla_minutes"] == 7
    status, body = await ola.call("PUT", "/api/admin/teams/web/sla", {"reply_sla_minutes": None})
    assert status == 200 and body["reply_sla_minutes"] is None and body["sla_minutes"] == 5
    assert (await queued(anna, ticket_id))["sla_minutes"] == 30  # the default again


@pytest.mark.parametrize(("body", "named"), [
    ({"sla_minutes": 0}, "sla_minutes"), ({"reply_sla_minutes": 10081}, "reply_sla_minutes"),
    ({"resolution_sla_minutes": "60"}, "resolution_sla_minutes"), ({"sla_minutes": 1.5}, "sla_minutes"),
])
async def test_bad_team_targets_are_named_and_change_nothing(app_client: TestClient, aiohttp_client: Factory,
                                                             body: dict[str, Any], named: str) -> None:
    ola = await sign_in(aiohttp_client, app_client, "ola")
    assert (await ola.call("PUT", "/api/admin/teams/web", {"members": ["anna"]}))[0] == 200
    before = await app_client.server.app[REDIS].hget(keys.TEAMS, "web")
    status, answer = await ola.call("PUT", "/api/admin/teams/web/sla", {"sla_minutes": 9, **body})
    assert status == 400 and named in answer["error"]
    assert await app_client.server.app[REDIS].hget(keys.TEAMS, "web") == before
    assert (await ola.call("PUT", "/api/admin/teams/nosuch/sla", {"sla_minutes": 9}))[0] == 404
    anna = await sign_in(aiohttp_client, app_client, "anna")
    assert (await anna.call("PUT", "/api/admin/teams/web/sla", {"sla_minutes": 9}))[0] == 403


async def _team(redis_url: str) -> dict[str, Any]:
    client = aioredis.from_url(redis_url, decode_responses=True)
    try:
        raw = await client.hget(keys.TEAMS, "vip")
        return json.loads(raw) if raw else {}
    finally:
        await client.aclose()


def test_team_targets_from_the_command_line(redis_url: str, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("REDIS_URL", redis_url)
    assert main(["add-team", "--name", "vip", "--channels", "comment", "--reply-sla-minutes", "0"]) == 1
    assert "reply_sla_minutes" in capsys.readouterr().err and asyncio.run(_team(redis_url)) == {}
    assert main(["add-team", "--name", "vip", "--channels", "comment", "--sla-minutes", "10",
                 "--resolution-sla-minutes", "240"]) == 0
    team = asyncio.run(_team(redis_url))
    assert (team["sla_minutes"], team["reply_sla_minutes"], team["resolution_sla_minutes"]) == (10, None, 240)
