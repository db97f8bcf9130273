"""A widget customer that reconnects and catches up the way handoff/static/widget/widget.js does."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from typing import Any

import socketio


class CatchingUpWidget:
    """socket.io with message ids: on every (re)connection ``session_request``, then ``catch_up``
    with the last id received; a message whose id was seen is not shown again, copies without an
    id are skipped. Each catch-up's messages (the ``count`` before its ``caught_up``: the channel
    emits them under the conversation's lock, so nothing live falls in between) are kept apart."""

    def __init__(self) -> None:
        self.session_id = f"web:{uuid.uuid4()}"
        self.client = socketio.AsyncClient(reconnection=True, reconnection_delay=0.5, reconnection_delay_max=2)
        self.last_id: float | None = None
        self.seen: set[float] = set()
        self.shown: list[dict[str, Any]] = []  # what the customer sees, in order
        self.received: list[dict[str, Any]] = []  # every message with an id, duplicates too
        self.catch_ups: list[list[dict[str, Any]]] = []
        self.recovered = 0  # messages first received in a catch-up: pub/sub had missed them
        self.errors: list[Any] = []
        self.confirmed = asyncio.Event()
        self.client.on("connect", self._connected)
        self.client.on("session_confirm", self._confirmed)
        self.client.on("bot_uttered", self._message)
        self.client.on("caught_up", self._caught_up)
        self.client.on("error", self.errors.append)

    async def start(self, url: str) -> None:
        await self.client.connect(url, socketio_path="/socket.io", transports=["websocket"],
                                  auth={"message_ids": True})
        await asyncio.wait_for(self.confirmed.wait(), 30)

    async def reconnect(self, url: str) -> None:
        """Back after ``client.disconnect()`` (a locked phone): a new socket, then the catch-up."""
        self.confirmed.clear()
        await self.start(url)

    async def _connected(self) -> None:
        await self.client.emit("session_request", {"session_id": self.session_id})

    async def _confirmed(self, _: Any = None) -> None:
        await self.client.emit("catch_up", {"last_id": self.last_id})
        self.confirmed.set()

    async def _message(self, data: dict[str, Any]) -> None:
        if "id" not in data:
            return
        self.received.append(data)
        if data["id"] in self.seen:
            return
        self.seen.add(data["id"])
        self.last_id = data["id"]
        self.shown.append(data)

    async def _caught_up(self, data: dict[str, Any]) -> None:
        count = int(data["count"])
        start = len(self.received) - count
        batch = self.received[start:] if count else []
        self.catch_ups.append(batch)
        first: dict[float, int] = {}
        for i, m in enumerate(self.received):
            first.setdefault(m["id"], i)
        self.recovered += sum(1 for i, m in enumerate(batch, start) if first[m["id"]] == i)

    async def say(self, text: str) -> None:
        await self.client.emit("user_uttered", {"message": text})

    def texts(self) -> list[str]:
        return [str(m["text"]) for m in self.shown if m.get("text")]

    def handed_off(self) -> bool:
        return any((m.get("custom") or {}).get("handoff", {}).get("state") == "queued" for m in self.shown)

    def repeated_in_a_catch_up(self) -> list[float]:
        return [i for batch in self.catch_ups for i, n in Counter(m["id"] for m in batch).items() if n > 1]

    async def until(self, check: Any, timeout: float = 60) -> bool:
        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.1)
        return True
