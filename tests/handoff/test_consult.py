"""Consulting an expert by e-mail (issue 16, part C): the plain functions, and the whole round
through the real app, Redis and a local SMTP server (aiosmtpd): the question goes out with its
token, the expert's answer comes back through ``POST /inbound/email`` as a note marked expert."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient

from bot.core import keys
from bot.core.settings import SettingsError
from handoff.accounts import Accounts, Role
from handoff.app import create_app
from handoff.consult import reply_address, strip_quoted, token_of
from handoff.mail import MailSettings, address, parse_experts
from ops.processes import free_port
from tests.fakes.smtp_sink import SmtpSink
from tests.handoff.conftest import PASSWORD, Console, Factory, settings, sign_in
from tests.handoff.test_api import WEB_1, open_ticket

INBOUND_TOKEN = "inbound-token-for-tests"
EXPERT = "ewa.kowalska@volta.example"
TOKEN = "0123456789abcdef0123456789abcdef"


def test_quoted_text_is_cut_off() -> None:
    mail = ("Tak, zwrot przysługuje do 30 dni.\r\n> a czy zwrot\r\n>> starsze\r\nPozdrawiam, Ewa\r\n\r\n"
            "On Mon, 7 Dec 2026 at 10:00, Volta <care@volta.example> wrote:\r\nPytanie od obsługi\r\n")
    assert strip_quoted(mail) == "Tak, zwrot przysługuje do 30 dni.\nPozdrawiam, Ewa"
    assert strip_quoted("Nie.\n\nW dniu 7.12.2026 o 10:00 Volta napisał(a):\n> pytanie") == "Nie."
    assert strip_quoted("> only quoted\n> text") == ""


def test_the_token_comes_from_the_reply_address_or_the_subject() -> None:
    assert reply_address("care@volta.example", TOKEN) == f"care+consult-{TOKEN}@volta.example"
    assert token_of(f"Volta <care+consult-{TOKEN}@volta.example>", "Re: hej") == TOKEN
    assert token_of("care@volta.example", f"Re: [T1] Pytanie [consult:{TOKEN.upper()}]") == TOKEN
    assert token_of("care@volta.example", "Re: [T1] Pytanie") is None
    assert token_of("care+consult-abc@volta.example", "[consult:xyz]") is None


def test_addresses_and_the_expert_list() -> None:
    assert address("Ewa <Ewa.Kowalska@Volta.example>") == "ewa.kowalska@volta.example"
    for bad in ("ewa", "ewa@", 7, "a b@c.d", "x@y"):
        with pytest.raises(ValueError, match="e-mail address"):
            address(bad)
    assert parse_experts("Ewa Kowalska <ewa@volta.example>, Jan <jan@volta.example>") == (
        ("Ewa Kowalska", "ewa@volta.example"), ("Jan", "jan@volta.example"))
    with pytest.raises(SettingsError, match="HANDOFF_EXPERTS"):
        parse_experts("Ewa <nobody>")


def test_mail_settings_fail_fast_naming_the_variable() -> None:
    assert not MailSettings.from_env({}).enabled
    with pytest.raises(SettingsError, match="SMTP_FROM"):
        MailSettings.from_env({"SMTP_HOST": "smtp.example"})
    with pytest.raises(SettingsError, match="HANDOFF_INBOUND_EMAIL_TOKEN"):
        MailSettings.from_env({"HANDOFF_INBOUND_EMAIL_TOKEN": "short"})
    with pytest.raises(SettingsError, match="SMTP_STARTTLS"):
        MailSettings.from_env({"SMTP_STARTTLS": "maybe"})
    on = MailSettings.from_env({"SMTP_HOST": "smtp.example", "SMTP_FROM": "care@volta.example",
                                "SMTP_PASSWORD": "hunter2-secret"})
    assert on.enabled and on.smtp_port == 587 and on.smtp_starttls and "hunter2" not in repr(on)


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    with SmtpSink() as running:
        yield running


@pytest.fixture
async def mail_client(aiohttp_client: Factory, redis_url: str, sink: SmtpSink) -> AsyncIterator[TestClient]:
    mail = MailSettings(smtp_host="127.0.0.1", smtp_port=sink.port, smtp_starttls=False,
                        smtp_from="care@volta.example", experts=(("Ewa Kowalska", EXPERT),),
                        inbound_token=INBOUND_TOKEN)
    client = await aiohttp_client(create_app(settings(redis_url, mail=mail), workers=False))
    redis = aioredis.from_url(redis_url, decode_responses=True)
    await Accounts(redis).create("anna", "Anna", Role.MODERATOR, PASSWORD)
    await Accounts(redis).create("piotr", "Piotr", Role.MODERATOR, PASSWORD)
    await redis.rpush(keys.TrackerKeys().events(WEB_1), *[json.dumps(e) for e in (
        {"event": "user", "text": "Chcę zwrócić kurtkę po 20 dniach", "timestamp": 1.0},
        {"event": "bot", "text": "Odpowiedź bota", "timestamp": 2.0},
        {"event": "user", "text": "Czy to możliwe?", "timestamp": 3.0})])
    await redis.aclose()
    yield client


async def _consult(aiohttp_client: Factory, client: TestClient) -> tuple[Console, str]:
    anna = await sign_in(aiohttp_client, client, "anna")
    ticket = await open_ticket(client)
    assert (await anna.call("POST", f"/api/tickets/{ticket}/claim"))[0] == 200
    assert (await anna.call("POST", f"/api/tickets/{ticket}/notes", {"text": "tajna notatka"}))[0] == 201
    status, body = await anna.call("POST", f"/api/tickets/{ticket}/consult",
                                   {"to": f"Ewa <{EXPERT}>", "question": "Czy zwrot po 20 dniach jest OK?"})
    assert status == 202 and body == {"ticket": ticket, "to": EXPERT}
    return anna, ticket


async def _inbound(client: TestClient, fields: dict[str, str], token: str = INBOUND_TOKEN,
                   form: bool = False) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    response = await (client.post("/inbound/email", data=fields, headers=headers) if form else
                      client.post("/inbound/email", json=fields, headers=headers))
    return response.status, await response.json()


async def _notes(anna: Console, ticket: str) -> list[dict[str, Any]]:
    status, body = await anna.call("GET", f"/api/tickets/{ticket}")
    assert status == 200
    return list(body["notes"])


async def test_the_expert_gets_the_question_and_the_answer_lands_in_the_ticket(
        aiohttp_client: Factory, mail_client: TestClient, sink: SmtpSink) -> None:
    anna, ticket = await _consult(aiohttp_client, mail_client)
    [mail] = sink.messages
    token = token_of(mail["Reply-To"], mail["Subject"])
    assert token and f"[consult:{token}]" in mail["Subject"] and mail["To"] == EXPERT
    body = mail.get_content()
    assert "Czy zwrot po 20 dniach jest OK?" in body and "Chcę zwrócić kurtkę po 20 dniach" in body
    assert "Czy to możliwe?" in body and "tajna notatka" not in body and "Odpowiedź bota" not in body

    status, answer = await _inbound(mail_client, {"to": mail["Reply-To"], "from": f"Ewa <{EXPERT.upper()}>",
                                                  "subject": f"Re: {mail['Subject']}",
                                                  "text": "Tak, można.\n\nOn Mon, Volta wrote:\n> Czy zwrot"},
                                    form=True)
    assert status == 201 and answer == {"ticket": ticket}
    note = (await _notes(anna, ticket))[-1]
    assert note["expert"] is True and note["author"] == EXPERT and note["text"] == "Tak, można."
    status, body = await anna.call("GET", "/api/queue")
    row = next(t for t in body["tickets"] if t["id"] == ticket)
    assert row["due"] is True  # a claimed ticket: first in its owner's list
    history = [e["action"] for e in (await anna.call("GET", f"/api/tickets/{ticket}"))[1]["history"]]
    assert "consulted" in history and history[-1] == "expert_reply"


async def test_a_spoofed_sender_a_wrong_token_or_a_wrong_key_is_refused_and_nothing_stored(
        aiohttp_client: Factory, mail_client: TestClient, sink: SmtpSink) -> None:
    anna, ticket = await _consult(aiohttp_client, mail_client)
    [mail] = sink.messages
    before = await _notes(anna, ticket)
    good = {"to": mail["Reply-To"], "from": EXPERT, "subject": "Re", "text": "Tak."}
    status, body = await _inbound(mail_client, {**good, "from": "mallory@evil.example"})
    assert status == 403 and "from" in body["error"]
    status, body = await _inbound(mail_client, {**good, "to": f"care+consult-{TOKEN}@volta.example"})
    assert status == 404 and "no open consultation" in body["error"]
    status, body = await _inbound(mail_client, {**good, "to": "care@volta.example"})
    assert status == 404 and "to/subject" in body["error"]
    status, body = await _inbound(mail_client, good, token="wrong-token-wrong-token")
    assert status == 401 and "inbound e-mail token" in body["error"]
    status, body = await _inbound(mail_client, {**good, "text": "> only quoted"})
    assert status == 400 and "text" in body["error"]
    assert await _notes(anna, ticket) == before


async def test_an_answer_moves_a_waiting_ticket_up_the_queue(
        aiohttp_client: Factory, mail_client: TestClient, sink: SmtpSink, redis_url: str) -> None:
    _, ticket = await _consult(aiohttp_client, mail_client)
    redis = aioredis.from_url(redis_url, decode_responses=True)
    # back in the queue (its owner away when a promise came due): the answer lifts its place
    await redis.hset(keys.ticket(ticket), mapping={"state": "queued", "owner": "", "owner_name": ""})
    await redis.zadd(keys.QUEUE, {ticket: 1000.0})
    status, _ = await _inbound(mail_client, {"to": sink.messages[0]["Reply-To"], "from": EXPERT, "text": "Tak."})
    assert status == 201 and await redis.zscore(keys.QUEUE, ticket) == 1000.0 - 30 * 60
    await redis.aclose()


async def test_consulting_needs_the_owner_a_valid_address_and_a_question(
        aiohttp_client: Factory, mail_client: TestClient, sink: SmtpSink) -> None:
    anna, ticket = await _consult(aiohttp_client, mail_client)
    piotr = await sign_in(aiohttp_client, mail_client, "piotr")
    question = {"to": EXPERT, "question": "?"}
    assert (await piotr.call("POST", f"/api/tickets/{ticket}/consult", question))[0] == 403
    status, body = await anna.call("POST", f"/api/tickets/{ticket}/consult", {**question, "to": "ewa"})
    assert status == 400 and body["error"].startswith("to ")
    status, body = await anna.call("POST", f"/api/tickets/{ticket}/consult", {"to": EXPERT})
    assert status == 400 and "question" in body["error"]
    assert len(sink.messages) == 1
    status, body = await anna.call("GET", "/api/consult/experts")
    assert body == {"enabled": True, "experts": [{"name": "Ewa Kowalska", "address": EXPERT}]}


async def test_without_smtp_host_consulting_is_off_and_says_which_setting(
        aiohttp_client: Factory, app_client: TestClient) -> None:
    anna = await sign_in(aiohttp_client, app_client, "anna")
    ticket = await open_ticket(app_client)
    assert (await anna.call("GET", "/api/consult/experts"))[1] == {"enabled": False, "experts": []}
    status, body = await anna.call("POST", f"/api/tickets/{ticket}/consult", {"to": EXPERT, "question": "?"})
    assert status == 503 and "SMTP_HOST" in body["error"]
    status, body = await _inbound(app_client, {"to": "x", "from": EXPERT, "text": "Tak."})
    assert status == 503 and "HANDOFF_INBOUND_EMAIL_TOKEN" in body["error"]


async def test_an_e_mail_that_cannot_be_sent_is_503_and_leaves_nothing(
        aiohttp_client: Factory, app_client: TestClient, redis_url: str) -> None:
    nobody = MailSettings(smtp_host="127.0.0.1", smtp_port=free_port(), smtp_starttls=False,
                          smtp_from="care@volta.example")  # nothing listens there
    client = await aiohttp_client(create_app(settings(redis_url, mail=nobody), workers=False))
    anna = await sign_in(aiohttp_client, client, "piotr")
    ticket = await open_ticket(client)
    assert (await anna.call("POST", f"/api/tickets/{ticket}/claim"))[0] == 200
    status, body = await anna.call("POST", f"/api/tickets/{ticket}/consult", {"to": EXPERT, "question": "?"})
    assert status == 503 and "could not be sent" in body["error"]
    redis = aioredis.from_url(redis_url, decode_responses=True)
    assert await redis.keys(keys.consult("*")) == [] and await _notes(anna, ticket) == []
    await redis.aclose()
