"""Two of each server behind HAProxy, one Redis, a real load: correctness when replicated.

Customers talk through HAProxy over REST, signed Messenger webhooks and socket.io (polling,
polling upgraded to a WebSocket, WebSocket alone); one conversation gets many messages at
once through both Rasa servers. Then the handoff side: claims raced through both handoff
services, moderator replies through one service reaching a widget whose socket is on a Rasa
server the reply did not go through, a console's live feed on one service seeing what was
done through the other (over SSE, and in Debian's chromium); last, one of each server is
killed with SIGKILL under load. The
figures go to ``var/test-replicas/report.{json,md}`` (docs/scaling.md quotes a run).

Slow (two Rasa servers start): ``make test-replicas``, which CI runs after the fault tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import time
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import aiohttp
import pytest
import redis.asyncio as aioredis
from playwright.sync_api import expect, sync_playwright

from bench import report_files
from bot.core import keys
from handoff.accounts import Accounts, Role
from handoff.errors import Conflict
from tests.browser.conftest import CHROMIUM_ARGS, chromium_path
from tests.replicas.clients import (
    PASSWORD,
    Moderator,
    Stored,
    Widget,
    graph_sends,
    post_messenger,
)
from tests.replicas.conftest import REPORT_DIR, Cluster
from tests.replicas.load import Ledger, burst, messenger_customer, rest_customer, widget_customer

pytestmark = [pytest.mark.integration, pytest.mark.replicas, pytest.mark.timeout(480)]  # the first starts six servers
ANGRY = "To jest skandal! Trzeci tydzień czekam na zwrot pieniędzy, nikt nie odpowiada, mam was dość!"
LOAD_SECONDS = 20
LIVE_TIMEOUT_MS = 15_000  # under the console's 30 s fallback poll: what shows in time came live
REPORT: dict[str, Any] = {}
Pair = tuple[Moderator, Moderator]


def served(cluster: Cluster) -> dict[str, int]:
    """Sessions HAProxy sent to each server (all backends of its frontend)."""
    counts: dict[str, int] = {}
    for (_, server), row in cluster.replicas.stats().items():
        if server not in ("FRONTEND", "BACKEND"):
            counts[server] = counts.get(server, 0) + int(row["stot"] or 0)
    return counts


def write_report() -> None:
    lines = ["# Replicas on one machine", "", "Command: `make test-replicas` (tests/replicas/test_replicas.py).", ""]
    lines += [f"- {name}: {json.dumps(value, ensure_ascii=False)}" for name, value in REPORT.items()]
    report_files.write(REPORT_DIR / "report", REPORT, "\n".join(lines) + "\n")


async def test_every_accepted_message_is_stored_once_and_in_order_under_load(cluster: Cluster) -> None:
    ledger, stop, stored = Ledger(), asyncio.Event(), Stored(cluster.redis.url)
    hot = f"rest-hot-{uuid.uuid4()}"  # REST takes only REST ids
    started = time.monotonic()
    endless = [rest_customer(cluster.rasa_url, ledger, stop, n) for n in range(4)]
    endless += [messenger_customer(cluster.rasa_url, ledger, stop) for _ in range(3)]
    load = [asyncio.create_task(c) for c in endless]
    widgets = [widget_customer(cluster.rasa_url, t, ledger, 6)
               for t in (["polling"], ["polling", "websocket"], ["websocket"]) for _ in range(2)]
    await asyncio.gather(*widgets, burst(cluster.rasa_url, ledger, hot, 12))
    await asyncio.sleep(max(0.0, LOAD_SECONDS - (time.monotonic() - started)))
    stop.set()
    await asyncio.gather(*load)
    elapsed = time.monotonic() - started
    try:
        assert await stored.inbox_drained(timeout=60), "the Messenger inbox did not drain"
        wrong = {c: _difference(texts, stored.texts(c)) for c, texts in ledger.accepted.items()
                 if c != hot and stored.texts(c) != texts}
        hot_texts = stored.texts(hot)
        interleaved = stored.interleaved_turns(hot)
    finally:
        stored.close()
    per_server = served(cluster)
    REPORT["load"] = {"seconds": round(elapsed, 1), "sent": ledger.sent, "accepted": ledger.total,
                      "refused": ledger.refused, "by_channel": dict(ledger.by_channel),
                      "conversations": len(ledger.accepted),
                      "accepted_per_second": round(ledger.total / elapsed, 1), "wrong_conversations": len(wrong),
                      "burst_stored": len(hot_texts), "burst_interleaved": interleaved, "served": per_server}
    write_report()
    assert ledger.total > 100 and ledger.refused == 0
    assert not wrong, f"conversations stored out of order, twice or not at all: {wrong}"
    assert sorted(hot_texts) == sorted(ledger.accepted[hot]) and len(hot_texts) == 12
    assert interleaved == 0, f"turns of {hot} overlapped: two servers handled it at once"
    for server in ("rasa-a", "rasa-b", "actions-a", "actions-b"):
        assert per_server[server] > 0, f"{server} served nothing: {per_server}"


@pytest.fixture
async def moderators(cluster: Cluster) -> AsyncIterator[Pair]:
    """Ewa and Piotr, signed in through HAProxy (their sessions work on either service)."""
    await _accounts(cluster)
    ewa, piotr = Moderator("ewa", cluster.handoff_url), Moderator("piotr", cluster.handoff_url)
    await ewa.sign_in()
    await piotr.sign_in()
    yield ewa, piotr
    await ewa.close()
    await piotr.close()


async def open_ticket(cluster: Cluster, conversation: str, base: str) -> str:
    async with aiohttp.ClientSession() as http, http.post(
            f"{base}/internal/tickets", json={"conversation_id": conversation, "reasons": ["asked_for_human"]},
            headers={"Authorization": f"Bearer {cluster.service_token}"}) as r:
        assert r.status == 201, await r.text()
        return str((await r.json())["ticket"])


async def ticket_of(cluster: Cluster, conversation: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            async with http.get(f"{cluster.handoff_url}/internal/conversations/{conversation}",
                                headers={"Authorization": f"Bearer {cluster.service_token}"}) as r:
                body = await r.json()
            if body["owner"] != "bot":
                return str(body["ticket"])
            await asyncio.sleep(0.3)
    raise AssertionError(f"no ticket for {conversation}")


async def test_two_claims_at_once_through_both_handoff_services_one_wins(cluster: Cluster, moderators: Pair) -> None:
    ewa, piotr = moderators
    a, b = cluster.direct("handoff-a"), cluster.direct("handoff-b")
    outcomes = []
    for i in range(6):
        ticket = await open_ticket(cluster, f"web:{uuid.uuid4()}", (a, b)[i % 2])
        (s1, _), (s2, _) = await asyncio.gather(ewa.call("POST", f"/api/tickets/{ticket}/claim", base=a),
                                                piotr.call("POST", f"/api/tickets/{ticket}/claim", base=b))
        outcomes.append(sorted((s1, s2)))
    REPORT["claims"] = {"races": len(outcomes), "outcomes": outcomes}
    write_report()
    assert outcomes == [[200, 409]] * 6


async def test_replies_through_the_other_services_reach_the_widget_once_in_order(
    cluster: Cluster, moderators: Pair,
) -> None:
    ewa, _ = moderators
    a, b = cluster.direct("handoff-a"), cluster.direct("handoff-b")
    widget = Widget(["websocket"])
    await widget.start(cluster.direct("rasa-a"))  # the socket is on rasa-a; pushes go through HAProxy to either
    live_a: list[dict[str, Any]] = []
    live_lb: list[dict[str, Any]] = []
    ready_a, ready_lb = asyncio.Event(), asyncio.Event()
    feeds = [asyncio.create_task(ewa.follow_live(a, live_a, ready_a)),
             asyncio.create_task(ewa.follow_live(cluster.handoff_url, live_lb, ready_lb))]
    try:
        await asyncio.wait_for(asyncio.gather(ready_a.wait(), ready_lb.wait()), 10)
        await widget.say(ANGRY)
        await widget.replies_until(lambda m: "custom" in m)
        ticket = await ticket_of(cluster, widget.session_id)
        assert (await ewa.call("POST", f"/api/tickets/{ticket}/claim", base=b))[0] == 200
        joined = await widget.replies_until(lambda m: "custom" in m)
        assert joined[-1]["custom"]["handoff"] == {"state": "human", "moderator": "Ewa"}
        replies = [f"Odpowiedź {i} od Ewy." for i in range(6)]
        for text in replies:  # one after another, without waiting: six outbox entries for one conversation
            assert (await ewa.call("POST", f"/api/tickets/{ticket}/reply", {"text": text}, base=b))[0] == 200
        got = [(await widget.next_reply())["text"] for _ in replies]
        await widget.say("dziękuję")
        await push_through(cluster, "rasa-b", widget.session_id, "Prosto przez rasa-b.")
        assert (await widget.next_reply())["text"] == "Prosto przez rasa-b."
        extra = await widget.quiet_for(3)
    finally:
        for feed in feeds:
            feed.cancel()
        with contextlib.suppress(asyncio.CancelledError, aiohttp.ClientError):
            await asyncio.gather(*feeds)
        await widget.client.disconnect()
    REPORT["widget_replies"] = {"sent": len(replies), "received_in_order": got == [f"{r}\n— Ewa" for r in replies],
                                "extra": len(extra)}
    write_report()
    assert [g.split("\n")[0] for g in got] == replies and all(g.endswith("— Ewa") for g in got)
    assert not extra, f"received again: {extra}"
    for feed in (live_a, live_lb):  # each console saw each change once
        mine = [(e["action"], e.get("role")) for e in feed if e.get("ticket") == ticket]
        assert mine.count(("claimed", None)) == 1 and mine.count(("replied", None)) == len(replies)
        assert ("message", "customer") in mine


async def push_through(cluster: Cluster, rasa: str, conversation: str, text: str) -> None:
    """A bot message pushed through one Rasa server's API, as the outbox does."""
    params = {"token": cluster.token, "execute_side_effects": "true", "output_channel": "latest"}
    async with aiohttp.ClientSession() as http, http.post(
            f"{cluster.direct(rasa)}/conversations/{conversation}/tracker/events", params=params,
            json=[{"event": "bot", "text": text}]) as r:
        assert r.status == 200, await r.text()


async def test_a_reply_through_one_service_reaches_messenger_once(cluster: Cluster, moderators: Pair) -> None:
    ewa, _ = moderators
    psid = str(uuid.uuid4().int)[:15]
    async with aiohttp.ClientSession() as http:
        assert await post_messenger(http, cluster.rasa_url, psid, ANGRY) == 200
    ticket = await ticket_of(cluster, f"messenger:{psid}")
    assert (await ewa.call("POST", f"/api/tickets/{ticket}/claim", base=cluster.direct("handoff-a")))[0] == 200
    text = "Sprawdzam Pana zwrot, proszę o chwilę."
    assert (await ewa.call("POST", f"/api/tickets/{ticket}/reply", {"text": text},
                           base=cluster.direct("handoff-b")))[0] == 200
    deadline = time.monotonic() + 60
    while not any(text in s for s in await graph_sends(cluster.graph_url, psid)) and time.monotonic() < deadline:
        await asyncio.sleep(0.3)
    await asyncio.sleep(3)  # a second delivery would come within this
    sends = await graph_sends(cluster.graph_url, psid)
    assert sum(text in s for s in sends) == 1, sends


def test_a_console_on_one_service_shows_a_claim_made_through_the_other(cluster: Cluster) -> None:
    """The console in Debian's chromium on handoff-a; a ticket opened and claimed through handoff-b."""
    executable = chromium_path()
    if executable is None:
        pytest.fail("chromium is not installed: run `make setup` (it installs Debian's chromium)")
    a, b = cluster.direct("handoff-a"), cluster.direct("handoff-b")
    _off_thread(_accounts(cluster))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        page = browser.new_context(locale="pl-PL").new_page()
        page.goto(f"{a}/login")
        page.get_by_label("Login").fill("ewa")
        page.get_by_label("Hasło").fill(PASSWORD)
        page.get_by_role("button", name="Zaloguj się").click()
        expect(page.locator(".vc-live")).to_have_text("Na żywo")
        ticket = _off_thread(open_ticket(cluster, f"web:{uuid.uuid4()}", b))
        row = page.locator("#queue-rows tr", has=page.get_by_role("link", name=ticket, exact=True))
        expect(row).to_be_visible(timeout=LIVE_TIMEOUT_MS)
        _off_thread(_claim_as_piotr(cluster, ticket, b))
        expect(row).to_contain_text("Piotr", timeout=LIVE_TIMEOUT_MS)
        browser.close()


def _off_thread(coroutine: Any) -> Any:
    """Run a coroutine on another thread: Playwright's sync API owns this thread's event loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def _accounts(cluster: Cluster) -> None:
    client = aioredis.from_url(cluster.redis.url, decode_responses=True)
    for login, name in (("ewa", "Ewa"), ("piotr", "Piotr")):
        with contextlib.suppress(Conflict):
            await Accounts(client).create(login, name, Role.MODERATOR, PASSWORD)
    await client.aclose()


async def _claim_as_piotr(cluster: Cluster, ticket: str, base: str) -> None:
    piotr = Moderator("piotr", base)
    try:
        await piotr.sign_in()
        assert (await piotr.call("POST", f"/api/tickets/{ticket}/claim"))[0] == 200
    finally:
        await piotr.close()


async def test_killing_one_of_each_under_load_loses_no_accepted_message(cluster: Cluster) -> None:
    ledger, stop, stored = Ledger(), asyncio.Event(), Stored(cluster.redis.url)
    load = [asyncio.create_task(rest_customer(cluster.rasa_url, ledger, stop, n, pause=0.3)) for n in range(3)]
    load += [asyncio.create_task(messenger_customer(cluster.rasa_url, ledger, stop)) for _ in range(2)]
    await asyncio.sleep(6)
    # a backlog, so that the Rasa server about to die holds inbox entries of a conversation
    await messenger_customer(cluster.rasa_url, ledger, stop, count=30, pause=0)
    for name in ("rasa-a", "actions-a", "handoff-a"):
        cluster.replicas.processes[name].proc.send_signal(signal.SIGKILL)
    killed_at = ledger.total
    held = {c["name"]: c["pending"] for c in stored.client.xinfo_consumers(keys.MessengerKeys().inbox, "rasa")}
    await asyncio.sleep(12)
    stop.set()
    await asyncio.gather(*load)
    stopped = time.monotonic()
    try:  # what rasa-a had taken from the inbox is claimed by rasa-b after a minute
        drained = await stored.inbox_drained(timeout=150)
        drain_seconds = time.monotonic() - stopped
        lost = {c: [t for t in texts if t not in stored.texts(c)] for c, texts in ledger.accepted.items()}
        doubled = {c: stored.duplicates(c) for c in ledger.accepted if stored.duplicates(c)}
        order = {c: _collapsed(stored.texts(c)) == texts for c, texts in ledger.accepted.items()}
    finally:
        stored.close()
    REPORT["kill"] = {"accepted": ledger.total, "accepted_before_kill": killed_at, "refused": ledger.refused,
                      "inbox_entries_held_by_the_killed_rasa": sum(n for c, n in held.items() if c.endswith("-a")),
                      "lost": sum(len(v) for v in lost.values()), "stored_twice": doubled,
                      "inbox_drained": drained, "inbox_drained_after_seconds": round(drain_seconds, 1)}
    write_report()
    assert drained and ledger.total > killed_at > 0
    assert not any(lost.values()), f"accepted messages missing: {lost}"
    assert not doubled, f"handled twice: {doubled}"  # a taken-over inbox entry already stored is skipped
    assert all(order.values()), "a conversation's messages are out of order"


def _difference(accepted: list[str], stored: list[str]) -> str:
    """Where a conversation's stored messages first differ from what was accepted."""
    at = next((i for i, (a, b) in enumerate(zip(accepted, stored, strict=False)) if a != b),
              min(len(accepted), len(stored)))
    return (f"{len(accepted)} accepted, {len(stored)} stored; from #{at}: accepted {accepted[at:at + 3]}, "
            f"stored {stored[at:at + 3]}")


def _collapsed(texts: list[str]) -> list[str]:
    """Texts with immediate repeats removed: a message handled again after a crash (at least once)."""
    return [t for i, t in enumerate(texts) if i == 0 or texts[i - 1] != t]
