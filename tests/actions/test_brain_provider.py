import asyncio
import time
from pathlib import Path

from actions.brain_provider import BrainProvider
from bot.brain.brain import Brain, load_brain
from bot.brain.build_index import build
from bot.brain.embeddings import HashingEmbedder
from bot.brain.index import current_version

FIXTURES = Path(__file__).parent.parent / "fixtures" / "faq"


async def wait_for(predicate, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


async def test_a_newly_published_index_is_picked_up_without_a_restart(tmp_path: Path) -> None:
    build(FIXTURES, tmp_path, "hashing", progress=False)
    loads: list[str] = []

    def loader() -> Brain:
        brain = load_brain(tmp_path, HashingEmbedder(), "ty", None)
        loads.append(brain.version)
        return brain

    provider = BrainProvider(loader, lambda: current_version(tmp_path), check_seconds=0)
    first = await provider.get()
    assert (await provider.decide("jak zwrocic produkt")).faq_id == "return_howto"
    build(FIXTURES, tmp_path, "hashing", progress=False)
    await provider.get()  # notices the new version, keeps answering with the old one meanwhile
    await wait_for(lambda: len(loads) == 2)
    await wait_for(lambda: provider._brain is not first)
    assert (await provider.get()).version == current_version(tmp_path) != first.version


async def test_a_broken_new_version_keeps_the_old_brain(tmp_path: Path) -> None:
    build(FIXTURES, tmp_path, "hashing", progress=False)
    calls = {"n": 0}

    def loader() -> Brain:
        calls["n"] += 1
        if calls["n"] > 1:
            raise ValueError("corrupt index")
        return load_brain(tmp_path, HashingEmbedder(), "ty", None)

    provider = BrainProvider(loader, lambda: "v-next", check_seconds=0)
    first = await provider.get()
    await provider.get()
    await wait_for(lambda: calls["n"] == 2)
    await asyncio.sleep(0.05)
    assert await provider.get() is first
