"""Messenger's "seen" and typing indicator, sent without holding anything up.

``fire`` sends sender actions in a background task (kept in a set until done, so none is
lost to the garbage collector); a customer's actions go out in the order they were fired.
A message to the customer waits for their pending actions (``settled``) at most
``SETTLE_SECONDS``, so the indicator never arrives after the answer it announces. Failures
are only logged (``GraphClient.sender_action``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from bot.rasa_side.channels.graph import SENDER_ACTION_TIMEOUT_SECONDS, GraphClient

logger = logging.getLogger(__name__)

SETTLE_SECONDS = 2 * SENDER_ACTION_TIMEOUT_SECONDS  # mark_seen and typing_on, each one try


class SenderActions:
    def __init__(self, graph: GraphClient) -> None:
        self._graph = graph
        self._latest: dict[str, asyncio.Task[None]] = {}  # per PSID: the last fired
        self._tasks: set[asyncio.Task[None]] = set()

    def fire(self, psid: str, actions: Iterable[str]) -> None:
        task = asyncio.ensure_future(self._run(psid, tuple(actions), self._latest.get(psid)))
        self._latest[psid] = task
        self._tasks.add(task)
        task.add_done_callback(lambda done: self._forget(psid, done))

    def _forget(self, psid: str, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if self._latest.get(psid) is task:
            del self._latest[psid]

    async def _run(self, psid: str, actions: tuple[str, ...], previous: asyncio.Task[None] | None) -> None:
        if previous is not None:
            await asyncio.wait({previous})
        for action in actions:
            try:
                await self._graph.sender_action(psid, action)
            except Exception:  # best effort: never an error that reaches the customer's answer
                logger.exception("sender action %s to %s failed", action, psid)

    async def settled(self, psid: str) -> None:
        """Wait (bounded) for the customer's pending actions."""
        task = self._latest.get(psid)
        if task is not None:
            await asyncio.wait({task}, timeout=SETTLE_SECONDS)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
