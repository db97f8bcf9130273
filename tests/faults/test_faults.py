"""Kill every process in the middle of a load, restart Redis, and count what was lost.

Customers talk over REST and Messenger while the action server, the handoff service and
the Rasa server are each killed with SIGKILL and started again, and Redis is restarted.
Afterwards every message that was accepted (REST answered 200, the webhook answered 200)
must be in its conversation, and every ticket must be in the queue or closed. Then widget
customers wait for moderators' replies while the Rasa server is killed again, one of them away
until every reply is stored: after reconnecting, each sees every reply exactly once. The report
(``bench/results/faults.{json,md}``) says how long each recovery took and what the widgets saw.

Slow (Rasa restarts): ``make test-faults``, which CI runs after ``make test``.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import itertools
import json
import signal
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import redis
import redis.asyncio as aioredis

from bench import report_files
from bench.report_files import RESULTS
from bot.core import keys
from bot.rasa_side.channels.messenger_protocol import sign
from handoff.accounts import Accounts, Role
from handoff.errors import Conflict
from ops.processes import NO_RATE_LIMITS
from tests.faults.widget_client import CatchingUpWidget
from tests.integration.console import ticket_of
from tests.replicas.clients import PASSWORD as MODERATOR_PASSWORD
from tests.replicas.clients import Moderator
from tests.stack import MESSENGER_SECRET, Stack, running_stack

pytestmark = [pytest.mark.integration, pytest.mark.faults]
TEXTS = ["Jak zwrócić produkt?", "ile kosztuje dostawa", "How do I return a product?", "gdzie jest moja paczka",
         "chcę rozmawiać z konsultantem", "Czy mogę zapłacić BLIKIEM?", "dzięki"]
CUSTOMERS = 4


@dataclass
class Ledger:
    accepted: dict[str, list[str]] = field(default_factory=dict)  # conversation id -> texts
    refused: int = 0
    started: float = field(default_factory=time.monotonic)
    timeline: list[tuple[float, str]] = field(default_factory=list)

    def accept(self, conversation: str, text: str) -> None:
        self.accepted.setdefault(conversation, []).append(text)

    def note(self, what: str) -> None:
        self.timeline.append((round(time.monotonic() - self.started, 1), what))


async def rest_customer(stack: Stack, ledger: Ledger, stop: asyncio.Event, n: int) -> None:
    sender = f"rest-{uuid.uuid4()}"  # REST takes no other channel's ids
    timeout = aiohttp.ClientTimeout(total=20)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        for i in itertools.count():
            if stop.is_set():
                return
            text = f"{TEXTS[(i + n) % len(TEXTS)]} ({n}-{i})"
            try:
                async with http.post(f"{stack.rasa_url}/webhooks/rest/webhook",
                                     json={"sender": sender, "message": text}) as r:
                    if r.status == 200:
                        ledger.accept(sender, text)
                    else:
                        ledger.refused += 1
            except (aiohttp.ClientError, asyncio.TimeoutError):
                ledger.refused += 1
                await asyncio.sleep(0.5)
            await asyncio.sleep(0.2)


async def messenger_customer(stack: Stack, ledger: Ledger, stop: asyncio.Event) -> None:
    psid = str(uuid.uuid4().int)[:15]
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
        for i in itertools.count():
            if stop.is_set():
                return
            text = f"{TEXTS[i % len(TEXTS)]} [m{i}]"
            body = json.dumps({"object": "page", "entry": [{"id": "1", "time": 1, "messaging": [{
                "sender": {"id": psid}, "recipient": {"id": "1"}, "timestamp": int(time.time() * 1000),
                "message": {"mid": f"m_{uuid.uuid4().hex}", "text": text}}]}]}).encode()
            headers = {"X-Hub-Signature-256": sign(MESSENGER_SECRET, body), "Content-Type": "application/json"}
            try:
                async with http.post(f"{stack.rasa_url}/webhooks/messenger/webhook", data=io.BytesIO(body),
                                     headers=headers) as r:
                    if r.status == 200:
                        ledger.accept(f"messenger:{psid}", text)
                    else:
                        ledger.refused += 1
            except (aiohttp.ClientError, asyncio.TimeoutError):
                ledger.refused += 1
            await asyncio.sleep(0.3)


def stored_texts(client: redis.Redis, conversation: str) -> list[str]:
    events = [json.loads(e) for e in client.lrange(keys.TrackerKeys().events(conversation), 0, -1)]
    return [str(e.get("text")) for e in events if e.get("event") == "user"]


async def wait_inbox_drained(client: redis.Redis, timeout: float = 120) -> float:
    started = time.monotonic()
    while client.xlen(keys.MessengerKeys().inbox) and time.monotonic() - started < timeout:
        await asyncio.sleep(0.5)
    return time.monotonic() - started


def write_report(report: dict[str, Any]) -> None:
    lines = ["# Faults under load", "", "Command: `make test-faults` (tests/faults/test_faults.py). "
             f"{report['customers']} REST customers and one Messenger customer talk throughout.", "",
             "| fault | recovered in (s) |", "|---|---|"]
    lines += [f"| {name} | {seconds} |" for name, seconds in report["recovery_seconds"].items()]
    lines += ["", f"Messages accepted: {report['accepted']}; refused while something was down: "
              f"{report['refused']}; accepted but missing afterwards: **{report['lost']}**.",
              f"Tickets: {report['tickets']}, all queued or closed: {report['tickets_consistent']}.",
              f"Messenger inbox drained {report['inbox_drain_seconds']} s after the load stopped.", "",
              "Timeline (s since the load started): " + "; ".join(f"{t} {w}" for t, w in report["timeline"]), ""]
    widget = report.get("widget")
    if widget:
        lines += ["## Widget customers across a Rasa restart", "",
                  f"{widget['customers']} widget customers with claimed tickets, one of them away (socket closed) "
                  "from before the SIGKILL until every reply was stored; moderators replied before, during "
                  f"(the outbox retried) and after. Replies: {widget['replies']}; shown exactly once: "
                  f"{widget['shown_once']}; first received in a catch-up (missed by pub/sub): "
                  f"{widget['recovered_by_catch_up']}; catch-ups: {widget['catch_ups']}; "
                  f"repeated within a catch-up: {widget['repeated']}.", ""]
    report_files.write(RESULTS / "faults", report, "\n".join(lines))


def add_to_report(section: str, figures: dict[str, Any]) -> None:
    """A later scenario's figures beside the first one's (rewritten together)."""
    path = RESULTS / "faults.json"
    report = json.loads(path.read_text()) if path.exists() else None
    if report is None or "recovery_seconds" not in report:
        return  # run alone (``-k``): no whole report to add to
    write_report({**report, section: figures})


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """One stack for the module's scenarios (each leaves every process running)."""
    with running_stack(tmp_path_factory, durable=True, env=NO_RATE_LIMITS) as running:  # load from loopback
        yield running


async def test_accepted_messages_and_tickets_survive_every_kind_of_crash(stack: Stack) -> None:
    assert stack.redis is not None
    ledger, stop = Ledger(), asyncio.Event()
    load = [asyncio.create_task(rest_customer(stack, ledger, stop, n)) for n in range(CUSTOMERS)]
    load.append(asyncio.create_task(messenger_customer(stack, ledger, stop)))
    recovery: dict[str, float] = {}
    await asyncio.sleep(5)
    for name in ("actions", "handoff", "rasa"):
        ledger.note(f"SIGKILL {name}")
        stack.processes[name].proc.send_signal(signal.SIGKILL)
        recovery[f"{name} (SIGKILL, restart)"] = round(await asyncio.to_thread(stack.restart_process, name), 1)
        ledger.note(f"{name} back")
        await asyncio.sleep(4)
    ledger.note("restart redis")
    recovery["redis (restart)"] = round(await asyncio.to_thread(stack.redis.restart), 1)
    ledger.note("redis back")
    await asyncio.sleep(6)
    stop.set()
    await asyncio.gather(*load)
    ledger.note("load stopped")
    client = redis.Redis.from_url(stack.redis_url, decode_responses=True)
    try:
        drained = await wait_inbox_drained(client)
        missing = {conversation: [t for t in texts if t not in stored_texts(client, conversation)]
                   for conversation, texts in ledger.accepted.items()}
        lost = sum(len(v) for v in missing.values())
        tickets = [client.hgetall(keys.ticket(t)) for t in client.zrange(keys.ALL, 0, -1)]
        queued = set(client.zrange(keys.QUEUE, 0, -1))
        consistent = all((t["state"] == "queued") == (t["id"] in queued) for t in tickets)
    finally:
        client.close()
    accepted = sum(len(v) for v in ledger.accepted.values())
    write_report({"customers": CUSTOMERS, "accepted": accepted, "refused": ledger.refused, "lost": lost,
                  "missing": {k: v for k, v in missing.items() if v}, "tickets": len(tickets),
                  "tickets_consistent": consistent, "recovery_seconds": recovery,
                  "inbox_drain_seconds": round(drained, 1), "timeline": ledger.timeline})
    assert accepted > 50, "the load did not get through"
    assert lost == 0, f"accepted messages missing: {missing}"
    assert tickets and consistent
    assert Path(RESULTS / "faults.md").exists()


WIDGET_CUSTOMERS = 4  # the last one is away from before the kill until every reply is stored


def shows_all(customer: CatchingUpWidget, wanted: list[str]) -> bool:
    return all(any(w in t for t in customer.texts()) for w in wanted)


async def stored_all(stack: Stack, conversation_id: str, wanted: list[str], timeout: float = 60) -> bool:
    """Whether every wanted text is in the conversation's stored bot events (within ``timeout``)."""
    client = aioredis.from_url(stack.redis_url, decode_responses=True)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            events = [json.loads(r) for r in await client.lrange(keys.TrackerKeys().events(conversation_id), 0, -1)]
            texts = [e.get("text") or "" for e in events if e.get("event") == "bot"]
            if all(any(w in t for t in texts) for w in wanted):
                return True
            await asyncio.sleep(0.2)
        return False
    finally:
        await client.aclose()


async def test_widget_customers_see_every_reply_once_across_a_rasa_restart(stack: Stack) -> None:
    """Moderators reply to widget customers before, during (the outbox retries) and after a Rasa
    SIGKILL; the customers' sockets drop and come back with catch_up: each reply shown once."""
    client = aioredis.from_url(stack.redis_url, decode_responses=True)
    with contextlib.suppress(Conflict):
        await Accounts(client).create("wanda", "Wanda", Role.MODERATOR, MODERATOR_PASSWORD)
    await client.aclose()
    moderator = Moderator("wanda", stack.handoff_url)
    customers = [CatchingUpWidget() for _ in range(WIDGET_CUSTOMERS)]
    try:
        await moderator.sign_in()
        for c in customers:
            await c.start(stack.rasa_url)
            await c.say("chcę rozmawiać z konsultantem")
        assert all([await c.until(c.handed_off) for c in customers])
        tickets = [await ticket_of(stack, c.session_id) for c in customers]
        for ticket in tickets:
            assert (await moderator.call("POST", f"/api/tickets/{ticket}/claim", {}))[0] == 200

        async def reply_to_all(round_name: str) -> None:
            for n, ticket in enumerate(tickets):
                status, body = await moderator.call("POST", f"/api/tickets/{ticket}/reply",
                                                    {"text": f"odpowiedź {round_name} dla {n}"})
                assert status == 200, body

        away = customers[-1]
        await reply_to_all("przed")
        await away.client.disconnect()  # a locked phone: back only after every reply was stored
        stack.processes["rasa"].proc.send_signal(signal.SIGKILL)
        await reply_to_all("w trakcie")  # written to the outbox; delivered once Rasa is back
        await asyncio.to_thread(stack.restart_process, "rasa")
        await reply_to_all("po")
        rounds = ("przed", "w trakcie", "po")
        away_wanted = [f"odpowiedź {r} dla {len(customers) - 1}" for r in rounds]
        assert await stored_all(stack, away.session_id, away_wanted)  # pushed while its socket was gone
        await away.reconnect(stack.rasa_url)
        for n, c in enumerate(customers):
            wanted = [f"odpowiedź {r} dla {n}" for r in rounds]
            assert await c.until(partial(shows_all, c, wanted)), (c.texts(), c.errors)
            assert [sum(w in t for t in c.texts()) for w in wanted] == [1, 1, 1], c.texts()
            assert len(c.catch_ups) >= 2  # the first connection's and the reconnection's
            assert c.repeated_in_a_catch_up() == []
            assert not [e for e in c.errors if e.get("code") == "bad_last_id"], c.errors
        assert away.recovered >= 2  # at least "w trakcie" and "po" came only through the catch-up
        add_to_report("widget", {
            "customers": len(customers), "replies": len(customers) * len(rounds),
            "shown_once": sum(sum(any(f"odpowiedź {r} dla {n}" in t for t in c.texts()) for r in rounds)
                              for n, c in enumerate(customers)),
            "recovered_by_catch_up": sum(c.recovered for c in customers),
            "catch_ups": sum(len(c.catch_ups) for c in customers),
            "repeated": sum(len(c.repeated_in_a_catch_up()) for c in customers)})
    finally:
        await moderator.close()
        for c in customers:
            await c.client.disconnect()
