"""Kill the Redis master with SIGKILL while customers chat and moderators reply; count what was lost.

The whole stack runs on a replicated Redis: a master, a replica and three Sentinels
(``ops.redis_sentinels``; ``appendfsync always``, writes that matter wait for the replica). REST and
Messenger customers keep writing, and a moderator keeps replying to handed-off customers, while the
master is SIGKILLed; the Sentinels promote the replica and every process follows it. Then the old
master comes back as a replica. Every customer message that was accepted (REST or the webhook
answered 200) must be in its conversation, and every reply the console accepted must be in the
ticket's conversation, delivered. The report (``bench/results/failover.{json,md}``) gives the
failover time, what was refused while it lasted and what was lost.

``make test-failover`` (about 4 minutes), which CI runs after ``make test``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest

from bench import report_files
from bench.handoff_footprint import machine
from bench.report_files import RESULTS
from bot.core import keys
from bot.core.redis_clients import async_client, close, sync_client
from handoff.accounts import Accounts, Role
from handoff.errors import Conflict
from ops.processes import NO_RATE_LIMITS
from tests.faults.test_faults import Ledger, messenger_customer, rest_customer, stored_texts, wait_inbox_drained
from tests.integration.console import ticket_of
from tests.replicas.clients import PASSWORD as MODERATOR_PASSWORD
from tests.replicas.clients import Moderator
from tests.stack import Stack, running_stack

pytestmark = [pytest.mark.integration, pytest.mark.failover]
CUSTOMERS = 4
HANDED_OFF = 3
BEFORE_KILL, AFTER_FAILOVER, AFTER_REJOIN = 8.0, 12.0, 6.0  # seconds of load in each phase


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(tmp_path_factory, env=NO_RATE_LIMITS, replicated=True) as running:  # load from loopback
        yield running


async def handed_off_customer(stack: Stack) -> str:
    """A REST customer who asks for a person; their conversation id once a ticket is open."""
    sender = f"rest-{uuid.uuid4()}"
    async with aiohttp.ClientSession() as http, http.post(f"{stack.rasa_url}/webhooks/rest/webhook",
                         json={"sender": sender, "message": "chcę rozmawiać z konsultantem"}) as r:
        assert r.status == 200, await r.text()
    return sender


async def reply_loop(moderator: Moderator, tickets: dict[str, str], replies: Ledger, stop: asyncio.Event) -> None:
    """Replies in turn to each ticket; a refused reply is sent again, as a moderator would."""
    for i in range(10_000):
        if stop.is_set():
            return
        conversation, ticket = list(tickets.items())[i % len(tickets)]
        text = f"odpowiedź {i} dla {conversation[-6:]}"
        while not stop.is_set():
            try:
                status, _ = await moderator.call("POST", f"/api/tickets/{ticket}/reply", {"text": text})
            except (aiohttp.ClientError, asyncio.TimeoutError):
                status = 0
            if status == 200:
                replies.accept(conversation, text)
                break
            replies.refused += 1
            await asyncio.sleep(0.5)
        await asyncio.sleep(0.3)


def bot_texts(client: Any, conversation: str) -> list[str]:
    events = [json.loads(e) for e in client.lrange(keys.TrackerKeys().events(conversation), 0, -1)]
    return [str(e.get("text")) for e in events if e.get("event") == "bot"]


async def delivered(client: Any, replies: Ledger, timeout: float = 60) -> dict[str, list[str]]:
    """The accepted replies not (yet) in their customer's conversation, after up to ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        missing = {c: [t for t in texts if not any(t in said for said in bot_texts(client, c))]
                   for c, texts in replies.accepted.items()}
        if not any(missing.values()) or time.monotonic() > deadline:
            return {c: texts for c, texts in missing.items() if texts}
        await asyncio.sleep(1)


async def test_a_master_killed_under_load_loses_no_accepted_message(stack: Stack) -> None:
    group = stack.sentinels
    assert group is not None
    client = async_client(group.config, decode_responses=True)
    with contextlib.suppress(Conflict):
        await Accounts(client).create("wiktor", "Wiktor", Role.MODERATOR, MODERATOR_PASSWORD)
    await close(client)
    moderator = Moderator("wiktor", stack.handoff_url)
    await moderator.sign_in()
    conversations = [await handed_off_customer(stack) for _ in range(HANDED_OFF)]
    tickets = {c: await ticket_of(stack, c) for c in conversations}
    for ticket in tickets.values():
        assert (await moderator.call("POST", f"/api/tickets/{ticket}/claim", {}))[0] == 200

    messages, replies, stop = Ledger(), Ledger(), asyncio.Event()
    load = [asyncio.create_task(rest_customer(stack, messages, stop, n)) for n in range(CUSTOMERS)]
    load.append(asyncio.create_task(messenger_customer(stack, messages, stop)))
    load.append(asyncio.create_task(reply_loop(moderator, tickets, replies, stop)))
    try:
        await asyncio.sleep(BEFORE_KILL)
        refused_before = messages.refused + replies.refused
        messages.note("SIGKILL the master")
        old = group.kill_master()
        failover = await asyncio.to_thread(group.wait_failover, old)
        messages.note(f"a replica promoted ({failover:.1f} s)")
        await asyncio.sleep(AFTER_FAILOVER)
        refused_during = messages.refused + replies.refused - refused_before
        await asyncio.to_thread(group.rejoin, old)
        messages.note("the old master is back, as a replica")
        await asyncio.sleep(AFTER_REJOIN)
    finally:
        stop.set()
        await asyncio.gather(*load)
        await moderator.close()
    messages.note("load stopped")

    client = sync_client(group.config, decode_responses=True)
    try:
        drained = await wait_inbox_drained(client)
        missing = {c: [t for t in texts if t not in stored_texts(client, c)] for c, texts in messages.accepted.items()}
        undelivered = await delivered(client, replies)
        repeated = sum(max(0, sum(t in said for said in bot_texts(client, c)) - 1)
                       for c, texts in replies.accepted.items() for t in texts)
        master = group.master()
    finally:
        client.close()
    lost = sum(len(v) for v in missing.values())
    report = {
        "machine": machine(),
        "load": f"{CUSTOMERS} REST customers (a message each 0.2 s after the answer), 1 Messenger customer "
                f"(each 0.3 s), 1 moderator replying to {HANDED_OFF} customers (each 0.3 s)",
        "sentinel": {"down_after_ms": 1000, "quorum": 2, "min_replicas_to_write": 0, "wait_replicas": 1},
        "failover_seconds": round(failover, 2),
        "customer_messages_accepted": sum(len(v) for v in messages.accepted.values()),
        "customer_messages_lost": lost,
        "replies_accepted": sum(len(v) for v in replies.accepted.values()),
        "replies_undelivered": sum(len(v) for v in undelivered.values()),
        "replies_repeated": repeated,
        "refused_during_failover": refused_during,
        "refused_in_all": messages.refused + replies.refused,
        "inbox_drain_seconds": round(drained, 1),
        "timeline": messages.timeline,
    }
    write_report(report)
    assert report["customer_messages_accepted"] > 40 and report["replies_accepted"] > 10, "the load did not get through"
    assert lost == 0, f"accepted customer messages missing: {missing}"
    assert not undelivered, f"accepted replies missing: {undelivered}"
    assert master is not old


def write_report(report: dict[str, Any]) -> None:
    lines = [
        "# Redis failover under load (`make test-failover`)", "",
        f"Machine: {report['machine']}. Load: {report['load']}.",
        f"Redis: a master, a replica and three Sentinels on loopback (`ops/redis_sentinels.py`): "
        f"down-after {report['sentinel']['down_after_ms']} ms, quorum {report['sentinel']['quorum']}, "
        "`appendfsync always`, `min-replicas-to-write 0` (one replica: 1 would stop every write until the "
        "dead node is back), writes that matter wait for 1 replica (`WAIT`).", "",
        "| figure | value |", "|---|---|",
        f"| failover: SIGKILL to a promoted replica taking writes | {report['failover_seconds']} s |",
        f"| customer messages accepted / lost | {report['customer_messages_accepted']} / "
        f"{report['customer_messages_lost']} |",
        f"| moderator replies accepted / not delivered / shown twice | {report['replies_accepted']} / "
        f"{report['replies_undelivered']} / {report['replies_repeated']} |",
        f"| requests refused during the failover (sent again by the client) | {report['refused_during_failover']} |",
        f"| requests refused in all | {report['refused_in_all']} |", "",
        "Timeline (seconds from the start of the load): "
        + "; ".join(f"{t} {what}" for t, what in report["timeline"]), "",
    ]
    report_files.write(RESULTS / "failover", report, "\n".join(lines))
