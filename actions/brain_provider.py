"""One brain per action-server process, loaded once and used off the event loop."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from bot.brain import Brain, Decision, load_brain
from bot.embeddings import load_embedder
from bot.settings import BrainSettings


def _load_from_env() -> Brain:
    settings = BrainSettings.from_env(os.environ)
    embedder = load_embedder(settings.embedder)
    return load_brain(settings.index_dir, embedder, settings.register, settings.answer_threshold)


class BrainProvider:
    """Loads the brain lazily and runs its blocking work on one worker thread.

    One thread keeps model inference serialised (the embedding backends are not
    all thread-safe) and leaves the event loop free for other conversations.
    """

    def __init__(self, loader: Callable[[], Brain] = _load_from_env) -> None:
        self._loader = loader
        self._brain: Brain | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="brain")
        self._lock = asyncio.Lock()

    async def get(self) -> Brain:
        if self._brain is None:
            async with self._lock:
                if self._brain is None:
                    loop = asyncio.get_running_loop()
                    self._brain = await loop.run_in_executor(self._executor, self._loader)
        return self._brain

    async def decide(self, text: str, history: Sequence[str] = ()) -> Decision:
        brain = await self.get()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, brain.decide, text, history)


default_provider = BrainProvider()
