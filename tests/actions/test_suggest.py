from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from actions.brain_provider import BrainProvider
from actions.suggest import MAX_TEXT_CHARS, InvalidSuggestRequest, add_suggest_route, parse_request
from bot.brain.brain import Brain, load_brain
from bot.brain.build_index import build
from bot.brain.embeddings import HashingEmbedder

FIXTURES = Path(__file__).parent.parent / "fixtures" / "faq"


@pytest.fixture(scope="module")
def brain(tmp_path_factory: pytest.TempPathFactory) -> Brain:
    root = tmp_path_factory.mktemp("index")
    build(FIXTURES, root, "hashing", progress=False, archive_dir=None)
    return load_brain(root, HashingEmbedder(), register="ty", threshold=None)


@pytest.fixture
async def url(brain: Brain, serve_routes: Callable[..., Any]) -> AsyncIterator[str]:
    """The action server's real Sanic app, with the route, served on a free loopback port."""
    async with serve_routes(lambda app: add_suggest_route(app, BrainProvider(lambda: brain))) as address:
        yield address


async def post(url: str, body: Any = None, data: bytes | None = None) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as session, session.post(f"{url}/suggest", json=body, data=data) as r:
        return r.status, await r.json()


async def test_suggestions_for_a_customer_message(url: str, brain: Brain) -> None:
    status, body = await post(url, {"text": "ile kosztuje dostawa"})
    assert status == 200
    assert body["suggestions"][0]["faq_id"] == "delivery_cost"
    assert len(body["suggestions"]) == 3
    assert body["suggestions"] == brain.suggest("ile kosztuje dostawa")


async def test_k_is_honoured(url: str) -> None:
    status, body = await post(url, {"text": "How much does delivery cost?", "k": 1})
    assert status == 200
    assert [(s["faq_id"], s["lang"]) for s in body["suggestions"]] == [("delivery_cost", "en")]


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"{not json", "not valid JSON"),
        (b"", "not valid JSON"),
        (b'["text"]', "JSON object"),
        (b"{}", "text"),
        (b'{"text": ""}', "text"),
        (b'{"text": "   "}', "text"),
        (b'{"text": 42}', "text"),
        (b'{"text": "a", "k": 0}', "k must"),
        (b'{"text": "a", "k": 6}', "k must"),
        (b'{"text": "a", "k": "3"}', "k must"),
        (b'{"text": "a", "k": 2.5}', "k must"),
        (b'{"text": "a", "k": true}', "k must"),
    ],
)
async def test_bad_requests_are_400_with_an_error(url: str, data: bytes, error: str) -> None:
    status, body = await post(url, data=data)
    assert status == 400
    assert error in body["error"]


async def test_text_over_the_limit_is_refused(url: str) -> None:
    status, body = await post(url, {"text": "a" * (MAX_TEXT_CHARS + 1)})
    assert (status, body) == (400, {"error": f"text is longer than {MAX_TEXT_CHARS} characters"})


def test_parse_request_defaults_k() -> None:
    assert parse_request(b'{"text": "hej"}') == ("hej", 3)
    assert parse_request('{"text": "zażółć", "k": 5}'.encode()) == ("zażółć", 5)
    with pytest.raises(InvalidSuggestRequest):
        parse_request(b"\xff\xfe")
