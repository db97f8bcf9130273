"""``POST /prefetch``: the action server embeds a message before Rasa asks for the answer."""

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any

import aiohttp
import numpy as np
import pytest

from actions.bodies import MAX_TEXT_CHARS
from actions.brain_provider import BrainProvider
from actions.prefetch import add_prefetch_route, parse_request
from bot.brain.brain import Brain
from bot.brain.embeddings import HashingEmbedder
from tests.fixtures.brain import fixture_brain


class CountingEmbedder(HashingEmbedder):
    """The hashing embedder, remembering every text it was asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.seen.extend(texts)
        return super().encode_queries(texts)


@pytest.fixture
def brain(tmp_path: Path) -> Brain:
    return fixture_brain(tmp_path, CountingEmbedder())


@pytest.fixture
async def url(brain: Brain, serve_routes: Callable[..., Any]) -> AsyncIterator[str]:
    """The action server's real Sanic app, with the route, served on a free loopback port."""
    async with serve_routes(lambda app: add_prefetch_route(app, BrainProvider(lambda: brain))) as address:
        yield address


async def post(url: str, body: Any = None, data: bytes | None = None) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as session, session.post(f"{url}/prefetch", json=body, data=data) as r:
        return r.status, await r.json()


async def test_a_prefetched_message_is_not_embedded_again_when_answered(url: str, brain: Brain) -> None:
    embedder: Any = brain.embedder
    status, body = await post(url, {"text": "Ile kosztuje dostawa?"})
    assert (status, body) == (202, {"queued": True})
    for _ in range(200):
        if embedder.seen:
            break
        await asyncio.sleep(0.01)
    assert len(embedder.seen) == 1
    decision = brain.decide("Ile kosztuje dostawa?")
    assert decision.faq_id == "delivery_cost"
    assert len(embedder.seen) == 1  # decide found the embedding and the ranking cached


@pytest.mark.parametrize(("data", "error"), [
    (b"{not json", "not valid JSON"), (b"[]", "JSON object"), (b"{}", "text"),
    (b'{"text": "  "}', "text"), (b'{"text": 7}', "text"),
])
async def test_bad_requests_are_400_and_embed_nothing(url: str, brain: Brain, data: bytes, error: str) -> None:
    status, body = await post(url, data=data)
    assert status == 400 and error in body["error"]
    await asyncio.sleep(0.05)
    assert brain.embedder.seen == []  # type: ignore[attr-defined]


async def test_text_over_the_limit_is_refused(url: str) -> None:
    status, body = await post(url, {"text": "a" * (MAX_TEXT_CHARS + 1)})
    assert (status, body) == (400, {"error": f"text is longer than {MAX_TEXT_CHARS} characters"})


def test_parse_request_returns_the_text() -> None:
    assert parse_request('{"text": "zażółć"}'.encode()) == ("zażółć", "conversation:")


def test_parse_request_names_the_client_whose_turn_it_is() -> None:
    body = b'{"text": "hej", "sender": "web:x", "client_ip": "::ffff:203.0.113.9"}'
    assert parse_request(body) == ("hej", "ip:203.0.113.9")
    assert parse_request(b'{"text": "hej", "sender": "messenger:123"}') == ("hej", "messenger:new")
    for bad in (b'{"text": "hej", "sender": 7}', b'{"text": "hej", "client_ip": ["x"]}'):
        with pytest.raises(ValueError, match=r"sender|client_ip"):
            parse_request(bad)
