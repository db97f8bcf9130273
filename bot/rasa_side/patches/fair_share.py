"""Customer messages take turns in the Rasa server, least-served client first.

Rasa handles every arriving message at once on one event loop, so under a flood a real
customer's message shares the core with all the flood's messages in flight (``make
test-abuse``: one core at 100%, real answers hundreds of milliseconds late). Here at most
``RASA_CONCURRENT_MESSAGES`` messages are handled at a time; the others wait, and the one whose
client used the server least lately goes next (``bot/core/fair_share.py``). Clients that send
faster than any person types share ``RASA_HEAVY_MESSAGES_PER_SECOND`` turns between them, so the
core is not kept busy by them even when nobody else is waiting at that moment. A client is the
address the channel saw, a Messenger customer's PSID once they have had a few turns (new PSIDs
cost a script nothing, so they share one client until then), or the conversation. Waiting costs
no CPU; nothing is dropped (a Messenger message stays in the inbox stream until handled).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
from dataclasses import dataclass, field
from typing import Any

from bot.core.clients import NEW_MESSENGER, turn_client
from bot.core.fair_share import FairShare
from bot.core.settings import whole_number

CONCURRENT_MESSAGES = 4  # enough to overlap Redis and action-server waits; few enough to share the core
ESTABLISHED_TURNS = 3  # a Messenger customer has their own turn after this many messages
# A customer writing every few seconds stays under 20 units (a turn is 1 unit plus 1 per 50 ms
# it held the server, halving every 30 s); one address at the per-address limit (a message a
# second) stands near 90. Heavy clients together get HEAVY_PER_SECOND turns, bursts of HEAVY_BURST.
HEAVY_USAGE = 20.0
HEAVY_PER_SECOND = 5.0
HEAVY_BURST = 5.0
# With no light client for LIGHT_ACTIVE_SECONDS the heavy ones get IDLE_FACTOR times the budget:
# the backlog of a flood drains faster once nobody else is writing.
LIGHT_ACTIVE_SECONDS = 10.0
IDLE_FACTOR = 4.0
REPORT_EVERY_SECONDS = 10.0  # how often a queue at the gate is logged, when at least
REPORT_WAITING = 20  # this many messages wait
# A message that waited this long goes next whatever its client's use (within the heavy budget):
# one address with many customers behind it (an office, a test) is slowed, never starved.
OVERDUE_SECONDS = 10.0
logger = logging.getLogger(__name__)
_original_handle_message: Any = None


@dataclass
class _Turn:
    seq: int
    client: str
    ready: asyncio.Future[None] = field(repr=False)
    since: float = 0.0


class FairGate:
    """At most ``slots`` holders at once; a freed slot goes to the least-served waiting client.
    Heavy clients (used more than ``HEAVY_USAGE`` lately: no person types that fast) share
    ``heavy_per_second`` turns, so a flood cannot keep the core busy and real customers find it
    free, not just first in line."""

    def __init__(self, slots: int, heavy_per_second: float = HEAVY_PER_SECOND, share: FairShare | None = None) -> None:
        self.slots = slots
        self.share = share or FairShare()
        self.busy = 0
        self._waiting: list[_Turn] = []
        self._seq = itertools.count()
        self._heavy_per_second = heavy_per_second
        self._tokens = HEAVY_BURST
        self._tokens_at = self.share.clock()
        self._wake_at: float | None = None  # loop time of the pending wake-up (uvloop's handles have no when())
        self._reported_at = 0.0
        self._light_at = float("-inf")  # when a light client last had a turn
        self._heavy: set[str] = set()

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def client_of(self, sender_id: str, metadata: Any) -> str:
        """``bot.core.clients.turn_client``: a Messenger customer has their own turn after
        ``ESTABLISHED_TURNS`` messages (counted here, per server)."""
        return turn_client(sender_id, metadata, self.share.turns("conversation:" + sender_id) >= ESTABLISHED_TURNS)

    def heavy(self, client: str) -> bool:
        """Used more than HEAVY_USAGE lately; once heavy, until below half of it (else a flood's
        addresses would count as people again each time their use dipped under the line)."""
        usage = self.share.usage(client)
        if client in self._heavy:
            if usage >= HEAVY_USAGE / 2:
                return True
            self._heavy.discard(client)
            return False
        if usage >= HEAVY_USAGE:
            self._heavy.add(client)
            return True
        return False

    async def acquire(self, client: str) -> None:
        turn = _Turn(next(self._seq), client, asyncio.get_running_loop().create_future(), self.share.clock())
        self._waiting.append(turn)
        try:
            self._dispatch()
            await turn.ready
        except BaseException:
            if turn in self._waiting:
                self._waiting.remove(turn)
            elif turn.ready.done() and not turn.ready.cancelled():  # handed a slot as it went: pass it on
                self.release()
            raise

    def release(self) -> None:
        self.busy -= 1
        self._dispatch()

    def _dispatch(self) -> None:
        """Fill free slots: light clients first, least-served first; heavy ones as tokens allow."""
        now = self.share.clock()
        if len(self._waiting) >= REPORT_WAITING and now - self._reported_at >= REPORT_EVERY_SECONDS:
            self._reported_at = now
            logger.warning("messages waiting their turn: %d (handling %d of %d); busiest clients share %.0f a second"
                           " (last other client %.0f s ago)", len(self._waiting), self.busy, self.slots,
                           self._heavy_rate(), now - self._light_at)
        while self.busy < self.slots and self._waiting:
            light = [t for t in self._waiting if not self.heavy(t.client)]
            overdue = min(self._waiting, key=lambda t: t.seq)
            if now - overdue.since >= OVERDUE_SECONDS and (not self.heavy(overdue.client) or self._take_token()):
                turn = overdue  # however busy its client, nothing waits for ever
            elif light:
                turn = self.share.next_of(light)
                self._light_at = self.share.clock()
            elif self._take_token():
                turn = self.share.next_of(self._waiting)
            else:
                self._wake_for_token()
                return
            self._waiting.remove(turn)
            if not turn.ready.done():
                self.busy += 1
                turn.ready.set_result(None)

    def _heavy_rate(self) -> float:
        idle = self.share.clock() - self._light_at >= LIGHT_ACTIVE_SECONDS
        return self._heavy_per_second * (IDLE_FACTOR if idle else 1.0)

    def _take_token(self) -> bool:
        now = self.share.clock()
        self._tokens = min(HEAVY_BURST, self._tokens + (now - self._tokens_at) * self._heavy_rate())
        self._tokens_at = now
        if self._tokens >= 1:
            self._tokens -= 1
            return True
        return False

    def _wake_for_token(self) -> None:
        """One wake-up pending at a time, when the next turn's budget is there."""
        if self._wake_at is None:
            loop = asyncio.get_running_loop()
            delay = max(1 - self._tokens, 0.0) / self._heavy_rate()
            self._wake_at = loop.time() + delay
            loop.call_later(delay, self._woken)

    def _woken(self) -> None:
        self._wake_at = None  # timers may fire a little early: _dispatch sets another if needed
        self._dispatch()


_gate: FairGate | None = None


async def _handle_message(self: Any, message: Any) -> Any:
    """Rasa's ``Agent.handle_message``, in its client's turn."""
    gate = _gate
    if gate is None:
        return await _original_handle_message(self, message)
    sender = str(getattr(message, "sender_id", "") or "")
    client = gate.client_of(sender, getattr(message, "metadata", None))
    own = "conversation:" + sender
    await gate.acquire(client)
    started = gate.share.clock()
    try:
        return await _original_handle_message(self, message)
    finally:
        held = gate.share.clock() - started
        gate.share.charge(client, held)
        if client == NEW_MESSENGER:
            gate.share.charge(own, 0.0)  # counts the customer's turns (ESTABLISHED_TURNS)
        gate.release()


def install() -> None:
    """Wraps ``Agent.handle_message`` (over the prefetch patch, so a waiting message is not prefetched)."""
    global _original_handle_message, _gate
    from rasa.core.agent import Agent

    slots = whole_number(os.environ, "RASA_CONCURRENT_MESSAGES", str(CONCURRENT_MESSAGES), 1, 1000, "messages")
    heavy = whole_number(os.environ, "RASA_HEAVY_MESSAGES_PER_SECOND", str(int(HEAVY_PER_SECOND)), 1, 100_000,
                         "messages a second")
    _gate = FairGate(slots, float(heavy))
    _original_handle_message = Agent.handle_message
    Agent.handle_message = _handle_message  # type: ignore[method-assign]
