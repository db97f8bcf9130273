"""The flood of the abuse run (bench/abuse.py): bounded in time and rate, loopback addresses only.

- widget sessions from ``WIDGET_ADDRESSES`` addresses, each opening session after session
  and filling it with messages, every ``COLD_EVERY``-th a cold ticket request;
- signed Messenger webhooks from one address (Meta's), a new PSID every few messages, every
  ``COLD_EVERY``-th PSID a cold ticket request;
- plain HTTP and socket.io handshakes from one address at twice its allowed rate; REST posts (not
  public: 404 expected); bad sign-ins to the console from ``SIGN_IN_ADDRESSES`` addresses.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from bench.abuse_clients import COLD_TICKET, FAILURES, WidgetClient, post_messenger, session_from

WIDGET_ADDRESSES = 12  # 127.0.10.N
MESSAGES_PER_SESSION = 4
MESSAGE_PAUSE = 0.25  # seconds between one flooder's messages
COLD_EVERY = 3  # every third widget session and PSID only asks for a person, threatening to sue
MESSENGER_LOOPS = 2  # each one webhook at a time, at most MESSENGER_PER_SECOND
MESSENGER_PER_SECOND = 4.0
MESSAGES_PER_PSID = 3
SIGN_IN_ADDRESSES = 6  # 127.0.30.N
SIGN_IN_PAUSE = 0.5
REST_PAUSE = 0.05
BURST_PER_SECOND = 60.0  # twice what the public frontend lets one address have (ops/edge.py: 30 a second)
META_ADDRESS = "127.0.20.1"
BURST_ADDRESS = "127.0.40.1"
REST_ADDRESS = "127.0.41.1"
TEXTS = ("ile kosztuje dostawa", "gdzie jest moja paczka", "Czy mogę zapłacić BLIKIEM?", "Jak długo trwa dostawa?")


@dataclass
class Ledger:
    """What the flood sent and what it was told."""

    statuses: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    accepted: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # Messenger: 200
    emitted: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # widget: no receipt
    cold_requests: int = 0

    def count(self, kind: str, outcome: object) -> None:
        self.statuses[kind][str(outcome)] += 1


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


@dataclass
class Flood:
    public_url: str
    messenger_secret: str
    sign_in_login: str
    ledger: Ledger = field(default_factory=Ledger)

    def tasks(self, stop: asyncio.Event) -> list[asyncio.Task[None]]:
        coroutines = [self.widgets(f"127.0.10.{n + 1}", stop) for n in range(WIDGET_ADDRESSES)]
        coroutines += [self.messenger(loop, stop) for loop in range(MESSENGER_LOOPS)]
        coroutines += [self.sign_ins(f"127.0.30.{n + 1}", stop) for n in range(SIGN_IN_ADDRESSES)]
        coroutines += [self.burst(stop), self.rest(stop)]
        return [asyncio.create_task(c) for c in coroutines]

    async def widgets(self, address: str, stop: asyncio.Event) -> None:
        for n in itertools.count(1):
            if stop.is_set():
                return
            widget = WidgetClient(address, ["websocket"])
            try:
                await widget.start(self.public_url)
                self.ledger.count("widget_sessions", "opened")
                cold = n % COLD_EVERY == 0
                self.ledger.cold_requests += cold
                texts = [COLD_TICKET] if cold else [f"{TEXTS[i % len(TEXTS)]} ({address} {n}.{i})"
                                                    for i in range(MESSAGES_PER_SESSION)]
                for text in texts:
                    await widget.say(text)
                    self.ledger.emitted[widget.conversation].append(text)
                    await _pause(stop, MESSAGE_PAUSE)
            except FAILURES as exc:
                self.ledger.count("widget_sessions", f"refused: {type(exc).__name__}")
                await _pause(stop, 1.0)
            finally:
                await widget.close()

    async def messenger(self, loop: int, stop: asyncio.Event) -> None:
        async with session_from(META_ADDRESS) as http:
            psid, cold = "", False
            for i in itertools.count():
                if stop.is_set():
                    return
                started = time.monotonic()
                if i % MESSAGES_PER_PSID == 0:
                    psid = str(uuid.uuid4().int)[:15]
                    cold = (i // MESSAGES_PER_PSID) % COLD_EVERY == loop % COLD_EVERY
                    self.ledger.cold_requests += cold
                elif cold:
                    continue
                text = COLD_TICKET if cold else f"{TEXTS[i % len(TEXTS)]} [{loop}.{i}]"
                status: int | str
                try:
                    status = await post_messenger(http, self.public_url, self.messenger_secret, psid, text)
                except FAILURES as exc:
                    status = type(exc).__name__
                self.ledger.count("messenger", status)
                if status == 200:
                    self.ledger.accepted[f"messenger:{psid}"].append(text)
                await _pause(stop, max(0.0, 1 / MESSENGER_PER_SECOND - (time.monotonic() - started)))

    async def sign_ins(self, address: str, stop: asyncio.Event) -> None:
        async with session_from(address) as http:
            while not stop.is_set():
                form = {"login": self.sign_in_login, "password": f"guess-{uuid.uuid4().hex[:8]}"}
                try:
                    async with http.post(f"{self.public_url}/login", data=form, allow_redirects=False) as r:
                        await r.read()
                        self.ledger.count("bad_sign_ins", r.status)
                except FAILURES as exc:
                    self.ledger.count("bad_sign_ins", type(exc).__name__)
                await _pause(stop, SIGN_IN_PAUSE)

    async def burst(self, stop: asyncio.Event) -> None:
        """Pages and socket.io handshakes one after another, at ``BURST_PER_SECOND`` (faster would
        measure this process, which shares the cores with the stack)."""
        async with session_from(BURST_ADDRESS) as http:
            for i in itertools.count():
                if stop.is_set():
                    return
                started = time.monotonic()
                path = "/demo" if i % 2 else "/socket.io/?EIO=4&transport=polling"
                try:
                    async with http.get(self.public_url + path) as r:
                        await r.read()
                        self.ledger.count("http_burst", r.status)
                except FAILURES as exc:
                    self.ledger.count("http_burst", type(exc).__name__)
                await _pause(stop, max(0.0, 1 / BURST_PER_SECOND - (time.monotonic() - started)))

    async def rest(self, stop: asyncio.Event) -> None:
        """The REST channel is for tools on the machine: through the public frontend, 404."""
        async with session_from(REST_ADDRESS) as http:
            for i in itertools.count():
                if stop.is_set():
                    return
                body = {"sender": f"rest-flood-{i}", "message": TEXTS[i % len(TEXTS)]}
                try:
                    async with http.post(f"{self.public_url}/webhooks/rest/webhook", json=body) as r:
                        await r.read()
                        self.ledger.count("rest", r.status)
                except FAILURES as exc:
                    self.ledger.count("rest", type(exc).__name__)
                await _pause(stop, REST_PAUSE)
