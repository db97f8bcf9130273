"""The background loops a Rasa server runs for its whole life (the Messenger inbox worker), by
name, so that ``/ready`` (``bot.rasa_side.patches.readiness``) can say when one has stopped.

One registry per process: Rasa builds the channels, and ``/ready`` is added to the app Rasa
builds, without a way to hand one to the other.
"""

from __future__ import annotations

import asyncio

_loops: dict[str, asyncio.Future[None]] = {}


def track(name: str, task: asyncio.Future[None]) -> None:
    """Watch ``task`` under ``name`` (replacing an earlier one of that name)."""
    _loops[name] = task


def names() -> list[str]:
    return sorted(_loops)


def stopped() -> list[str]:
    """The names of the tracked loops whose task has ended."""
    return sorted(name for name, task in _loops.items() if task.done())
