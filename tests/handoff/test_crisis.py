"""Crisis mode (issue 16, part H): the surge rule, a wave of angry tickets opening one crisis through the
real app and Redis, the statement to the group (once per conversation), bad input, and the webhook."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

import aiohttp
import pytest
import redis.asyncio as aioredis
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.core import keys
from bot.core.settings import SettingsError
from handoff.crisis import MAX_STATEMENT_CHARS, CrisisSettings, clean_statement, is_surge
from handoff.crisis_notify import WEBHOOK_ATTEMPTS, post_webhook
from handoff.crisis_store import Crises
from handoff.mail import MailSettings
from handoff.models import Ticket, TicketState
from handoff.outbox import rasa_events
from tests.fakes.smtp_sink import SmtpSink
from tests.handoff.conftest import Factory, sign_in
from tests.handoff.test_api import SERVICE

# --- the surge rule --------------------------------------------------------------------------------

def test_below_the_minimum_is_no_surge_however_quiet_the_topic() -> None:
    assert not is_surge(7, 0, 8, 3)
    assert is_surge(8, 0, 8, 3)


def test_a_steady_busy_topic_is_no_surge() -> None:
    # 20 an hour all day (480 in 24 h); 10 in half an hour is that same rate
    assert not is_surge(10, 480, 8, 3)
    assert not is_surge(25, 480, 8, 3)  # 50 an hour: under three times 20


def test_a_real_rise_on_a_busy_topic_is_a_surge() -> None:
    assert is_surge(30, 480, 8, 3)  # 60 an hour against 20


def test_the_floor_keeps_a_few_tickets_of_a_quiet_topic_from_being_a_surge_with_a_low_minimum() -> None:
    assert not is_surge(2, 0, 2, 3)  # 4 an hour against the floor's 2: under 3x
    assert is_surge(3, 0, 2, 3)


def test_statements_are_checked_per_language() -> None:
    assert clean_statement({"pl": " Przepraszamy. "}) == {"pl": "Przepraszamy."}
    for bad, field in [({}, "pl or en"), ({"pl": "  "}, "pl must"), ({"en": 5}, "en must"),
                       ({"pl": "x" * (MAX_STATEMENT_CHARS + 1)}, "pl is longer")]:
        with pytest.raises(ValueError, match=field):
            clean_statement(bad)


def test_settings_name_the_bad_variable() -> None:
    assert CrisisSettings.from_env({}).min_tickets == 8
    with pytest.raises(SettingsError, match="HANDOFF_CRISIS_MIN_TICKETS"):
        CrisisSettings.from_env({"HANDOFF_CRISIS_MIN_TICKETS": "many"})
    with pytest.raises(SettingsError, match="HANDOFF_CRISIS_EMAILS"):
        CrisisSettings.from_env({"HANDOFF_CRISIS_EMAILS": "on-call"})


def test_a_statement_reaches_the_customer_signed_by_the_team_and_public_under_a_comment() -> None:
    [event] = rasa_events("statement", {"text": "Paczki są opóźnione.", "crisis": "C000001", "visibility": "public"},
                          "pl", "ty", "T000001")
    assert event["text"] == "Paczki są opóźnione.\n— Zespół obsługi klienta"
    assert event["metadata"] == {"ticket": "T000001", "crisis": "C000001", "visibility": "public"}


# --- two topics straight against the store ---------------------------------------------------------

def _ticket(number: int, topic: str, at: float, reasons: list[str] | None = None) -> Ticket:
    return Ticket(id=f"T{number:06d}", conversation_id=f"web:{uuid.uuid4()}", channel="webchat", lang="pl",
                  customer_name="", reasons=reasons or ["anger"], evidence=[{"kind": "topic", "faq_id": topic}],
                  state=TicketState.QUEUED, created_at=at)


async def test_two_topics_are_counted_apart_and_calm_tickets_not_at_all(redis_url: str) -> None:
    redis = aioredis.from_url(redis_url, decode_responses=True)
    store, now = Crises(redis, CrisisSettings(min_tickets=4)), time.time()
    opened = []
    for n in range(3):
        opened.append(await store.note_ticket(_ticket(n, "delivery_late", now + n)))
        opened.append(await store.note_ticket(_ticket(10 + n, "refund", now + n)))
        opened.append(await store.note_ticket(_ticket(20 + n, "delivery_late", now + n, ["human_request"])))
    assert opened == [None] * 9
    crisis = await store.note_ticket(_ticket(3, "delivery_late", now + 3))
    assert crisis is not None and crisis.topic == "delivery_late" and crisis.tickets == 4
    assert await store.ticket_ids(crisis.id) == ["T000000", "T000001", "T000002", "T000003"]
    assert [c.topic for c in await store.open_ones()] == ["delivery_late"]
    await redis.aclose()


# --- through the app ---------------------------------------------------------------------------------

async def _angry(client: TestClient, topic: str, lang: str = "pl", conversation: str = "") -> str:
    response = await client.post("/internal/tickets", headers=SERVICE, json={
        "conversation_id": conversation or f"web:{uuid.uuid4()}", "lang": lang, "reasons": ["anger"],
        "evidence": [{"kind": "topic", "faq_id": topic, "score": 0.7}], "exchanges": 1})
    assert response.status == 201, await response.text()
    return str((await response.json())["ticket"])


async def _statements(redis: Any) -> list[dict[str, str]]:
    return [f for _, f in await redis.xrange(keys.OUTBOX) if f["kind"] == "statement"]


async def test_a_wave_opens_one_crisis_the_ninth_joins_and_a_statement_goes_once(
        aiohttp_client: Factory, app_client: TestClient, redis_url: str) -> None:
    redis = aioredis.from_url(redis_url, decode_responses=True)
    admin = await sign_in(aiohttp_client, app_client, "ola")
    wave = [await _angry(app_client, "delivery_late", "en" if n == 0 else "pl") for n in range(7)]
    others = [await _angry(app_client, "refund") for _ in range(3)]
    _, body = await admin.call("GET", "/api/crises")
    assert body == {"crises": []}
    wave += [await _angry(app_client, "delivery_late") for _ in range(2)]  # the 8th opens it, the 9th joins
    _, body = await admin.call("GET", "/api/crises")
    [crisis] = body["crises"]
    assert crisis["topic"] == "delivery_late" and crisis["tickets"] == 9 and crisis["state"] == "open"
    status, group = await admin.call("GET", f"/api/crises/{crisis['id']}")
    assert status == 200 and [t["id"] for t in group["tickets"]] == wave and not set(others) & set(wave)

    # one resolved and one erased conversation are skipped and counted
    await redis.hset(keys.ticket(wave[1]), "state", "resolved")
    await redis.delete(keys.ticket(wave[2]))
    statement = {"pl": "Nasz przewoźnik ma awarię; paczki dotrą jutro.", "en": "Our carrier failed; parcels arrive "
                 "tomorrow."}
    status, body = await admin.call("POST", f"/api/admin/crises/{crisis['id']}/statement", statement)
    assert status == 200 and (body["sent"], body["resolved"], body["erased"], body["already"]) == (7, 1, 1, 0)
    assert body["crisis"]["statement"] == statement and body["crisis"]["published_by"] == "ola"
    sent = await _statements(redis)
    assert sorted(f["ticket"] for f in sent) == sorted(set(wave) - {wave[1], wave[2]})
    assert json.loads(next(f for f in sent if f["ticket"] == wave[0])["payload"])["text"] == statement["en"]
    status, body = await admin.call("POST", f"/api/admin/crises/{crisis['id']}/statement", statement)
    assert status == 200 and body["sent"] == 0 and body["already"] == 7
    assert len(await _statements(redis)) == 7
    await redis.aclose()


async def test_bad_statements_and_moderators_are_refused_and_nothing_is_sent(
        aiohttp_client: Factory, app_client: TestClient, redis_url: str) -> None:
    redis = aioredis.from_url(redis_url, decode_responses=True)
    for _ in range(8):
        await _angry(app_client, "product_recall")
    admin, anna = await sign_in(aiohttp_client, app_client, "ola"), await sign_in(aiohttp_client, app_client, "anna")
    [crisis] = (await anna.call("GET", "/api/crises"))[1]["crises"]
    path = f"/api/admin/crises/{crisis['id']}"
    assert (await anna.call("POST", f"{path}/statement", {"pl": "Przepraszamy."}))[0] == 403
    assert (await anna.call("POST", f"{path}/close"))[0] == 403
    status, body = await admin.call("POST", f"{path}/statement", {"pl": ""})
    assert status == 400 and "pl" in body["error"]
    status, body = await admin.call("POST", f"{path}/statement", {"en": "x" * (MAX_STATEMENT_CHARS + 1)})
    assert status == 400 and "en is longer" in body["error"]
    assert (await admin.call("POST", "/api/admin/crises/C999999/statement", {"pl": "Przepraszamy."}))[0] == 404
    assert await _statements(redis) == [] and "statement" not in await redis.hgetall(keys.crisis(crisis["id"]))
    status, body = await admin.call("POST", f"{path}/close")
    assert status == 200 and body["crisis"]["state"] == "closed" and body["crisis"]["closed_by"] == "ola"
    assert (await admin.call("POST", f"{path}/close"))[0] == 409
    assert (await admin.call("POST", f"{path}/statement", {"pl": "Przepraszamy."}))[0] == 409
    assert (await anna.call("GET", "/api/crises"))[1] == {"crises": []}
    await redis.aclose()


# --- the webhook --------------------------------------------------------------------------------------

async def test_the_webhook_is_retried_until_it_gets_through() -> None:
    got: list[dict[str, Any]] = []

    async def hook(request: web.Request) -> web.Response:
        got.append(await request.json())
        return web.Response(status=503 if len(got) == 1 else 204)

    app = web.Application()
    app.router.add_post("/hook", hook)
    async with TestServer(app, host="127.0.0.1") as server, aiohttp.ClientSession() as http:
        body = {"crisis": "C000001", "topic": "delivery_late", "count": 8, "link": "http://console/crises/C000001"}
        assert await post_webhook(http, str(server.make_url("/hook")), body, waits=(0, 0))
    assert got == [body, body]


async def test_a_webhook_that_never_answers_is_given_up_after_a_few_attempts() -> None:
    async with aiohttp.ClientSession() as http:
        assert not await post_webhook(http, "http://127.0.0.1:9/hook", {"topic": "x"}, waits=(0, 0))
    assert WEBHOOK_ATTEMPTS == 3


async def test_opening_a_crisis_posts_the_webhook_in_the_background(
        aiohttp_client: Factory, redis_url: str) -> None:
    from handoff.app import create_app
    from tests.handoff.conftest import settings

    got: list[dict[str, Any]] = []

    async def hook(request: web.Request) -> web.Response:
        got.append(await request.json())
        return web.Response(status=204)

    hook_app = web.Application()
    hook_app.router.add_post("/hook", hook)
    with SmtpSink() as sink:
        async with TestServer(hook_app, host="127.0.0.1") as server:
            crisis_settings = CrisisSettings(min_tickets=2, rise=1, webhook_url=str(server.make_url("/hook")),
                                             emails=("dyzur@volta.example",), console_url="https://care.example")
            mail = MailSettings(smtp_host="127.0.0.1", smtp_port=sink.port, smtp_starttls=False,
                                smtp_from="care@volta.example")
            client = await aiohttp_client(create_app(settings(redis_url, crisis=crisis_settings, mail=mail),
                                                     workers=False))
            for _ in range(3):  # the third joins the crisis the second opened: told once
                await _angry(client, "delivery_late")
            deadline = time.monotonic() + 10
            while not (got and sink.messages) and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
    assert len(got) == 1 and got[0]["topic"] == "delivery_late" and got[0]["count"] == 2
    assert got[0]["link"] == f"https://care.example/crises/{got[0]['crisis']}"
    [email] = sink.messages
    assert email["To"] == "dyzur@volta.example" and "delivery_late" in email["Subject"]
    assert got[0]["link"] in email.get_content()


async def test_a_failure_in_crisis_counting_never_fails_the_handoff(
        app_client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(self: Crises, ticket: Any) -> None:
        raise RuntimeError("a bug in the crisis rules")

    monkeypatch.setattr(Crises, "note_ticket", broken)
    conversation = f"web:{uuid.uuid4()}"
    ticket = await _angry(app_client, "delivery_late", conversation=conversation)  # 201 (asserted there)
    response = await app_client.get(f"/internal/conversations/{conversation}", headers=SERVICE)
    assert (await response.json()) == {"owner": "queue", "ticket": ticket}
