"""The people of ``make bench-team``: customers writing in the web widget (socket.io, as the
product's widget does) and moderators working the console's HTTP API, both on the simulated
weekend's clock (``WeekendClock``), the one the handoff service runs on (``handoff.clock``).

A customer writes; one who needs a person and was not handed over asks for one; a handed-over
customer notes the expected wait the bot told them, waits for a person's reply and may write
again. A moderator signs in ten minutes before their shift, keeps their console open (every call
marks them present), answers their tickets' waiting customers one at a time, oldest wait first,
taking a lognormal think time per reply, resolves a ticket answered and quiet for five minutes,
and at the change hands their open tickets to the next shift and goes away.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import socketio

from bench.team_plan import RESOLVE_AFTER_MINUTES, Contact, Shift, think_minutes

ASK_FOR_PERSON = {"pl": "chcę rozmawiać z konsultantem", "en": "can I talk to a person please"}
FOLLOW_UPS = {"pl": ("a kiedy to będzie?", "dziękuję, a co z fakturą?", "ok, a jak długo to potrwa?"),
              "en": ("and when will that be?", "thanks, and what about the invoice?", "ok, one more thing: how long?")}
REPLIES = ("Dzień dobry, już sprawdzam Twoją sprawę.", "Rozumiem, zaraz to wyjaśnię i dam znać.",
           "Dziękuję za cierpliwość, sprawa jest już przekazana dalej.", "Sprawdziłam: wszystko jest w porządku.")
BOT_TIMEOUT = 30.0  # real seconds for the bot's reply to a customer's message
SETTLE = 0.3  # real seconds: the later messages of one bot turn (queue state after the handoff text)
POLL_MINUTES = 1.0  # simulated minutes between a moderator's looks at the queue (their console's refresh)


@dataclass(frozen=True)
class WeekendClock:
    """Simulated time: ``start`` at the real instant ``origin``, ``scale`` times faster."""
    origin: float
    start: float
    scale: float

    def now(self) -> float:
        return self.at(time.time())

    def at(self, wall: float) -> float:
        return self.start + (wall - self.origin) * self.scale

    def real_at(self, simulated: float) -> float:
        return self.origin + (simulated - self.start) / self.scale

    async def until(self, simulated: float) -> None:
        await asyncio.sleep(max(0.0, self.real_at(simulated) - time.time()))

    async def minutes(self, simulated_minutes: float) -> None:
        await asyncio.sleep(simulated_minutes * 60 / self.scale)


@dataclass
class Outcome:
    """What one customer saw, in simulated epoch seconds."""
    contact: Contact
    conversation_id: str = ""
    handed_over_at: float | None = None
    asked_for_person: bool = False  # had to ask after a first message that was not handed over
    predicted_minutes: float | None = None  # the expected wait the bot told them
    predicted_shown: bool = False  # a handoff state came (None above: nobody available, no number)
    first_reply_at: float | None = None
    later_waits: list[float] = field(default_factory=list)  # seconds from a follow-up to the next reply
    error: str = ""


class Widget:
    """The product widget's protocol: messages whole with their ids (``auth {"message_ids": true}``);
    Rasa's split copies without ids, sent to the same socket, are read for the bot's turns only."""

    def __init__(self, rasa_url: str) -> None:
        self.url, self.conversation_id = rasa_url, f"web:{uuid.uuid4()}"
        self.client = socketio.AsyncClient(reconnection=False)
        self.inbox: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self.handed_over_at: float | None = None  # when the first queue state came (wall clock)
        self.from_people: list[float] = []  # when each person's message came (wall clock; ``say`` may read them)
        self.person_spoke = asyncio.Event()
        for event in ("bot_uttered", "session_confirm", "error"):
            self.client.on(event, self._receiver(event))

    def _receiver(self, event: str) -> Any:
        async def receive(data: Any) -> None:
            if event == "bot_uttered" and isinstance(data, dict) and "id" in data:  # whole, as the widget reads
                if self.handed_over_at is None and handoff_state([data]) is not None:
                    self.handed_over_at = time.time()
                elif from_a_person(data):
                    self.from_people.append(time.time())
                    self.person_spoke.set()
            await self.inbox.put((event, data))
        return receive

    async def open(self) -> None:
        await self.client.connect(self.url, socketio_path="/socket.io", transports=["websocket"],
                                  wait_timeout=BOT_TIMEOUT, auth={"message_ids": True})
        await self.client.emit("session_request", {"session_id": self.conversation_id})
        await self.next(BOT_TIMEOUT)

    async def next(self, timeout: float) -> Any:
        event, data = await asyncio.wait_for(self.inbox.get(), timeout)
        if event == "error":
            raise RuntimeError(f"socket.io error: {data}")
        return data

    async def say(self, text: str) -> list[dict[str, Any]]:
        """Send ``text``; the bot's messages of this turn (none when a person owns the conversation
        is not waited for here)."""
        await self.client.emit("user_uttered", {"message": text})
        replies = [await self.next(BOT_TIMEOUT)]
        with contextlib.suppress(asyncio.TimeoutError):
            while True:
                replies.append(await self.next(SETTLE))
        return replies

    async def close(self) -> None:
        if self.client.connected:
            await self.client.disconnect()


def handoff_state(replies: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    for reply in replies:
        state = (reply.get("custom") or {}).get("handoff")
        if isinstance(state, dict) and state.get("state") in ("queued", "human"):
            return state
    return None


def from_a_person(message: dict[str, Any]) -> bool:
    """A moderator's reply: one of the bench moderators' texts, signed (``REPLIES``). The bot's own
    handoff turn has plain texts too (the handoff line, the place in the queue), so a shape does not
    tell them apart; the words do, and the bench wrote both sides."""
    text = message.get("text")
    return isinstance(text, str) and text.startswith(REPLIES)


async def customer(contact: Contact, first: tuple[str, str], rasa_url: str, clock: WeekendClock,
                   done: asyncio.Event, rng: random.Random, outcome: Outcome) -> None:
    """One contact from its first message until a person's last reply, the end of the run, or a
    failure; what they saw goes into ``outcome`` as it happens (the queue sampler reads it)."""
    text, lang = first
    widget = Widget(rasa_url)
    outcome.conversation_id = widget.conversation_id
    try:
        await widget.open()
        replies = await widget.say(text)
        state = handoff_state(replies)
        if state is None and contact.needs_person:
            outcome.asked_for_person = True
            state = handoff_state(await widget.say(ASK_FOR_PERSON[lang]))
        if state is None:
            return
        outcome.handed_over_at = clock.at(widget.handed_over_at or time.time())
        outcome.predicted_shown, outcome.predicted_minutes = True, state.get("expected_wait_minutes")
        if not await _person_said(widget, 1, done):
            return
        outcome.first_reply_at = clock.at(widget.from_people[0])
        for n, delay in enumerate(contact.follow_up_delays, start=2):
            await clock.minutes(delay)
            asked = time.time()
            await widget.client.emit("user_uttered", {"message": rng.choice(FOLLOW_UPS[lang])})
            if not await _person_said(widget, n, done):
                return
            outcome.later_waits.append((widget.from_people[n - 1] - asked) * clock.scale)
    except (asyncio.TimeoutError, OSError, RuntimeError, socketio.exceptions.SocketIOError) as e:
        outcome.error = type(e).__name__
    finally:
        await widget.close()


async def _person_said(widget: Widget, count: int, done: asyncio.Event) -> bool:
    """Wait until a person's ``count``-th message came; False if the run ended first."""
    while len(widget.from_people) < count:
        widget.person_spoke.clear()
        if done.is_set():
            return False
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(widget.person_spoke.wait(), 1.0)
    return True


@dataclass
class Desk:
    """A signed-in moderator's console."""
    http: aiohttp.ClientSession
    base: str
    login: str
    csrf: str = ""

    async def sign_in(self, password: str) -> None:
        async with self.http.post(f"{self.base}/login", data={"login": self.login, "password": password},
                                  allow_redirects=False) as response:
            if response.status != 302:
                raise RuntimeError(f"{self.login} could not sign in: HTTP {response.status}")
        self.csrf = (await self.call("GET", "/api/me"))["csrf_token"]

    async def call(self, method: str, path: str, body: Any = None) -> Any:
        async with self.http.request(method, f"{self.base}{path}", json=body,
                                     headers={"X-CSRF-Token": self.csrf}) as response:
            data = await response.json()
            if response.status >= 400:
                raise RuntimeError(f"{method} {path}: HTTP {response.status} {data}")
            return data


@dataclass
class ModeratorLog:
    login: str
    replies: int = 0
    resolved: int = 0
    handed_over: int = 0
    errors: list[str] = field(default_factory=list)


async def moderator(shift: Shift, next_shift: Sequence[str], base: str, password: str, clock: WeekendClock,
                    done: asyncio.Event, rng: random.Random, last_shift: bool) -> ModeratorLog:
    """One person's shift: present from ``shift.starts``; at ``shift.ends`` (unless ``last_shift``:
    until the run ends) their open tickets go to ``next_shift`` in turn, and they go away."""
    log = ModeratorLog(shift.login)
    await clock.until(shift.starts)
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as http:
        desk = Desk(http, base, shift.login)
        await desk.sign_in(password)
        await desk.call("PUT", "/api/status", {"status": "available"})
        answered_at: dict[str, float] = {}  # ticket -> when this moderator last replied
        while not done.is_set() and (last_shift or clock.now() < shift.ends):
            try:
                if not await _work_once(desk, clock, rng, answered_at, log):
                    await clock.minutes(POLL_MINUTES)
            except (aiohttp.ClientError, RuntimeError) as e:
                log.errors.append(str(e)[:200])
                await clock.minutes(POLL_MINUTES)
        if not last_shift:
            await _hand_over(desk, next_shift, log)
    return log


async def _work_once(desk: Desk, clock: WeekendClock, rng: random.Random, answered_at: dict[str, float],
                     log: ModeratorLog) -> bool:
    """One look at the console and at most one piece of work; False when there was nothing to do."""
    tickets = [t for t in (await desk.call("GET", "/api/queue"))["tickets"]
               if t["owner"] == desk.login and t["state"] == "assigned"]
    waiting = sorted((t for t in tickets if t.get("waiting_since")), key=lambda t: t["waiting_since"])
    if waiting:
        ticket = waiting[0]
        await clock.minutes(think_minutes(rng, ticket["first_response_at"] is None))
        await desk.call("POST", f"/api/tickets/{ticket['id']}/reply", {"text": rng.choice(REPLIES)})
        answered_at[ticket["id"]], log.replies = clock.now(), log.replies + 1
        return True
    now = clock.now()
    for ticket in tickets:
        replied = answered_at.get(ticket["id"]) or ticket.get("first_response_at")
        if replied and now - replied >= RESOLVE_AFTER_MINUTES * 60:
            await desk.call("POST", f"/api/tickets/{ticket['id']}/resolve")
            log.resolved += 1
            return True
    return False


async def _hand_over(desk: Desk, next_shift: Sequence[str], log: ModeratorLog) -> None:
    await desk.call("PUT", "/api/status", {"status": "away"})
    mine = [t for t in (await desk.call("GET", "/api/queue"))["tickets"]
            if t["owner"] == desk.login and t["state"] == "assigned"]
    for i, ticket in enumerate(mine):
        if not next_shift:
            break
        with contextlib.suppress(RuntimeError):  # resolved or moved meanwhile
            await desk.call("POST", f"/api/tickets/{ticket['id']}/transfer", {"to": next_shift[i % len(next_shift)]})
            log.handed_over += 1
