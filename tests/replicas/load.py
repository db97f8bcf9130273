"""Customers who keep talking: REST, Messenger and the widget, and what the stack accepted."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections import Counter
from dataclasses import dataclass, field

import aiohttp

from tests.replicas.clients import Widget, post_messenger

TEXTS = ["Jak zwrócić produkt?", "ile kosztuje dostawa", "How do I return a product?", "gdzie jest moja paczka",
         "Czy mogę zapłacić BLIKIEM?", "dzięki", "Jak długo trwa dostawa?"]


@dataclass
class Ledger:
    """What each customer sent and the stack accepted, in the order it was accepted."""

    accepted: dict[str, list[str]] = field(default_factory=dict)
    refused: int = 0
    sent: int = 0
    by_channel: Counter[str] = field(default_factory=Counter)

    def accept(self, conversation: str, text: str, channel: str) -> None:
        self.accepted.setdefault(conversation, []).append(text)
        self.by_channel[channel] += 1

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.accepted.values())


async def rest_customer(url: str, ledger: Ledger, stop: asyncio.Event, n: int, pause: float = 0.2) -> None:
    sender = f"rest-{uuid.uuid4()}"  # REST takes no other channel's ids
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:
        for i in itertools.count():
            if stop.is_set():
                return
            text = f"{TEXTS[(i + n) % len(TEXTS)]} ({n}-{i})"
            ledger.sent += 1
            try:
                async with http.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}) as r:
                    if r.status == 200:
                        ledger.accept(sender, text, "rest")
                    else:
                        ledger.refused += 1
            except (aiohttp.ClientError, asyncio.TimeoutError):
                ledger.refused += 1
            await asyncio.sleep(pause)


async def messenger_customer(url: str, ledger: Ledger, stop: asyncio.Event, count: int | None = None,
                             pause: float = 0.2) -> None:
    """Webhooks one after another as fast as they are accepted: consecutive messages of one
    conversation land on both Rasa servers' inbox workers."""
    psid = str(uuid.uuid4().int)[:15]
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
        for i in itertools.count():
            if stop.is_set() or (count is not None and i >= count):
                return
            text = f"{TEXTS[i % len(TEXTS)]} [m{i}]"
            ledger.sent += 1
            try:
                if await post_messenger(http, url, psid, text) == 200:
                    ledger.accept(f"messenger:{psid}", text, "messenger")
                else:
                    ledger.refused += 1
            except (aiohttp.ClientError, asyncio.TimeoutError):
                ledger.refused += 1
            await asyncio.sleep(pause)


WIDGET_TEXTS = ["Jak zwrócić produkt?", "ile kosztuje dostawa", "Czy mogę zapłacić BLIKIEM?", "gdzie jest moja paczka",
                "Jak długo trwa dostawa?", "dzięki"]  # one topic each: asked twice, a topic goes to people


async def widget_customer(url: str, transports: list[str], ledger: Ledger, turns: int) -> None:
    """A widget customer waiting for each answer; accepted means answered (socket.io has no
    receipt). A customer the bot hands to people (a topic asked twice…) stops: from then on
    the bot is silent."""
    widget = Widget(transports)
    await widget.start(url)
    try:
        for i in range(turns):
            text = f"{WIDGET_TEXTS[i % len(WIDGET_TEXTS)]} <{'+'.join(transports)} {i}>"
            ledger.sent += 1
            await widget.say(text)
            answer = [await widget.next_reply(), *await widget.quiet_for(0.5)]
            ledger.accept(widget.session_id, text, "+".join(transports))
            if any("handoff" in (m.get("custom") or {}) for m in answer):
                return
    finally:
        await widget.client.disconnect()


async def burst(url: str, ledger: Ledger, sender: str, count: int) -> None:
    """``count`` messages of one conversation at once, through both Rasa servers."""
    async def one(i: int) -> None:
        text = f"{TEXTS[i % len(TEXTS)]} {{burst {i}}}"
        ledger.sent += 1
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as http, http.post(
                f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}) as r:
            if r.status == 200:
                ledger.accept(sender, text, "rest burst")
            else:
                ledger.refused += 1
    await asyncio.gather(*(one(i) for i in range(count)))
