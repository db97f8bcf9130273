"""One brain per action-server process: loaded once, used off the event loop, and
replaced without a restart when a new index version is published.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from actions.fair_queue import FairQueue
from actions.metrics import decided, observe
from bot.brain.brain import Brain, Decision, load_brain
from bot.brain.embeddings import load_embedder
from bot.brain.index import IndexNotFound, current_version
from bot.brain.settings import BrainSettings

logger = logging.getLogger(__name__)
# How often a request may look for a newly published index version.
RELOAD_CHECK_SECONDS = 2.0
# A prefetch is only a head start: skipped when this much work already waits for the brain.
PREFETCH_MAX_WAITING = 2
MODERATORS = "moderators"  # the console's suggestions: one client in the fair queue


def load(settings: BrainSettings) -> Brain:
    embedder = load_embedder(settings.embedder, settings.embed_threads)
    return observe(load_brain(settings.index_dir, embedder, settings.register, settings.answer_threshold))


def _unconfigured() -> Any:
    raise RuntimeError("the brain provider has no settings (python -m actions gives them at start)")


class BrainProvider:
    """Loads the brain lazily and runs its blocking work on one worker thread.

    One thread keeps model inference serialised (the embedding backends are not
    all thread-safe) and leaves the event loop free for other conversations. A
    new index version is loaded on a second thread while the old brain keeps
    answering, then swapped in.
    """

    def __init__(self, loader: Callable[[], Brain] = _unconfigured,
                 published_version: Callable[[], str] = _unconfigured,
                 check_seconds: float = RELOAD_CHECK_SECONDS) -> None:
        self._loader = loader
        self._published_version = published_version
        self._check_seconds = check_seconds
        self._brain: Brain | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="brain")
        self._queue = FairQueue(self._executor)
        self._reloader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="brain-reload")
        self._lock = asyncio.Lock()
        self._checked_at = 0.0
        self._reload: asyncio.Task[None] | None = None

    def configure(self, settings: BrainSettings) -> None:
        """Load from ``settings`` (the action server's, at start), before the brain is first used."""
        self._loader = functools.partial(load, settings)
        self._published_version = functools.partial(current_version, settings.index_dir)

    @property
    def loaded_version(self) -> str | None:
        """The index version of the brain in use; None until it is first loaded."""
        return self._brain.version if self._brain is not None else None

    @property
    def current(self) -> Brain | None:
        """The brain in use, None before it is loaded (for ``/metrics``: no waiting, no loading)."""
        return self._brain

    async def get(self) -> Brain:
        if self._brain is None:
            async with self._lock:
                if self._brain is None:
                    loop = asyncio.get_running_loop()
                    self._brain = await loop.run_in_executor(self._executor, self._loader)
                    self._checked_at = time.monotonic()
        else:
            await self._maybe_reload()
        return self._brain

    async def _maybe_reload(self) -> None:
        now = time.monotonic()
        if now - self._checked_at < self._check_seconds or (self._reload and not self._reload.done()):
            return
        self._checked_at = now
        loop = asyncio.get_running_loop()
        try:
            version = await loop.run_in_executor(self._reloader, self._published_version)
        except IndexNotFound:
            return
        if self._brain is not None and version != self._brain.version:
            self._reload = asyncio.create_task(self._swap(version))

    async def _swap(self, version: str) -> None:
        loop = asyncio.get_running_loop()
        try:
            self._brain = await loop.run_in_executor(self._reloader, self._loader)
            logger.info("switched to index version %s", self._brain.version)
        except Exception:  # a broken new version must not take the working one down
            kept = self._brain.version if self._brain else None
            logger.exception("could not load index version %s; keeping %s", version, kept)

    async def decide(self, text: str, history: Sequence[object] = (), client: str = "") -> Decision:
        """``Brain.decide`` on the brain thread, in ``client``'s turn (``actions/fair_queue.py``)."""
        brain = await self.get()
        decision: Decision = await self._queue.run(client, functools.partial(brain.decide, text, history))
        decided(decision)  # counted by outcome and reason (actions.metrics)
        # no customer text at INFO: the conversation id comes from the log context (bot.core.logs)
        logger.info("decision %s (%s), topic %s", decision.decision, ", ".join(decision.reasons) or "-",
                    decision.faq_id or "-")
        return decision

    async def warm(self, text: str, client: str = "") -> bool:
        """``Brain.warm`` on the brain thread, so a ``decide`` queued after it finds the work done;
        False (skipped) when the brain already has work waiting."""
        brain = await self.get()
        if self._queue.waiting >= PREFETCH_MAX_WAITING:
            return False
        await self._queue.run(client, functools.partial(brain.warm, text))
        return True

    async def suggest(self, text: str, k: int = 3) -> list[dict[str, Any]]:
        """The closest FAQ answers to ``text`` (``Brain.suggest``), on the brain thread."""
        brain = await self.get()
        return await self._queue.run(MODERATORS, functools.partial(brain.suggest, text, k))


default_provider = BrainProvider()
