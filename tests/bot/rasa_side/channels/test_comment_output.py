"""Answering comments through the fake Graph API, with the one-private-reply rule kept in a real Redis."""

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestServer

from bot.core.keys import MessengerKeys, TrackerKeys
from bot.rasa_side.channels.comment_output import CommentReplies, comment_metadata
from bot.rasa_side.channels.graph import GraphClient
from bot.rasa_side.channels.inbox import MessengerInbox
from bot.rasa_side.channels.messenger_protocol import Inbound
from tests.fakes.graph_api import FAILURES, RECEIVED, create_app

THREAD = "444_555"


def comment(comment_id: str = THREAD, text: str = "Jak zwrócić produkt?", commenter: str = "24") -> Inbound:
    return Inbound("comment", commenter, comment_id, text, text, 1, "Anna Nowak", "1_444", "1_444", THREAD)


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    c = aioredis.from_url(redis_url)
    yield c
    await c.aclose()


@pytest.fixture
async def graph(aiohttp_server: Any) -> AsyncIterator[tuple[TestServer, GraphClient]]:
    server = await aiohttp_server(create_app())
    graph = GraphClient(str(server.make_url("/v21.0")), "page-token", backoff=())
    yield server, graph
    await graph.close()


def calls(server: TestServer) -> list[tuple[str, Any]]:
    return [(r["path"], r["body"]) for r in server.app[RECEIVED] if "failed" not in r]


async def test_a_routine_answer_goes_privately_and_the_thread_hears_where(
        client: aioredis.Redis, graph: tuple[TestServer, GraphClient]) -> None:
    server, api = graph
    replies = CommentReplies(api, client)
    await replies.answer_turn(comment(), [{"text": "Zwroty: 30 dni."}])
    assert calls(server) == [
        ("/v21.0/me/messages", {"recipient": {"comment_id": THREAD}, "message": {"text": "Zwroty: 30 dni."},
                                "messaging_type": "RESPONSE"}),
        (f"/v21.0/{THREAD}/comments", {"message": "Odpowiedzieliśmy w wiadomości prywatnej 📩"}),
    ]
    assert await client.exists(MessengerKeys().private_reply(THREAD))


async def test_an_english_comment_hears_english(client: aioredis.Redis,
                                                graph: tuple[TestServer, GraphClient]) -> None:
    server, api = graph
    await CommentReplies(api, client).answer_turn(comment(text="How do I return what I bought?"), [{"text": "x"}])
    assert calls(server)[-1] == (f"/v21.0/{THREAD}/comments", {"message": "We've replied in a private message 📩"})


async def test_a_handoff_is_told_once_and_without_a_queue_position(
        client: aioredis.Redis, graph: tuple[TestServer, GraphClient]) -> None:
    server, api = graph
    replies = CommentReplies(api, client)
    handoff = {"text": "Jesteś 2. w kolejce.", "custom": {"handoff": {"state": "queued", "position": 2}}}
    await replies.answer_turn(comment(), [handoff])
    await replies.answer_turn(comment("444_556"), [handoff])  # the same thread again: said already
    assert calls(server) == [(f"/v21.0/{THREAD}/comments",
                              {"message": "Dziękujemy za komentarz. Ktoś z naszego zespołu wkrótce tu odpowie."})]


async def test_when_the_private_reply_fails_the_answer_goes_publicly(
        client: aioredis.Redis, graph: tuple[TestServer, GraphClient]) -> None:
    server, api = graph
    server.app[FAILURES].update(count=1, status=400, path="/v21.0/me/messages")
    await CommentReplies(api, client).answer_turn(comment(), [{"text": "Zwroty: 30 dni."}])
    assert calls(server) == [(f"/v21.0/{THREAD}/comments", {"message": "Zwroty: 30 dni."})]
    assert not await client.exists(MessengerKeys().private_reply(THREAD))  # still there to use


async def test_a_moderators_reply_goes_where_chosen_and_a_second_private_one_is_refused(
        client: aioredis.Redis, graph: tuple[TestServer, GraphClient]) -> None:
    server, api = graph
    inbox = MessengerInbox(client)
    replies = CommentReplies(api, client, on_refused=inbox.record_failed_send)
    conversation = "comment:" + THREAD
    later = comment("444_777")
    user = {"event": "user", "text": later.text, "metadata": comment_metadata(later)}
    await client.rpush(TrackerKeys().events(conversation), json.dumps(user), json.dumps({"event": "bot", "text": "x"}))
    await replies.send_pushed(conversation, {"text": "Sprawdzam.\n— Anna", "moderator": "anna"})
    await replies.send_pushed(conversation, {"text": "Podaj numer.\n— Anna", "visibility": "private"})
    await replies.send_pushed(conversation, {"text": "Jeszcze raz.\n— Anna", "visibility": "private"})
    await replies.send_pushed(conversation, {"text": "Anna dołącza.", "custom": {"handoff": {"state": "human"}}})
    assert calls(server) == [
        (f"/v21.0/{THREAD}/comments", {"message": "Sprawdzam.\n— Anna"}),
        ("/v21.0/me/messages", {"recipient": {"comment_id": "444_777"}, "message": {"text": "Podaj numer.\n— Anna"},
                                "messaging_type": "RESPONSE"}),
    ]
    [(_, failed)] = await client.xrange(inbox.failed_sends)
    assert failed[b"psid"] == conversation.encode() and b"used already" in failed[b"error"]
    assert b"Jeszcze raz" in failed[b"message"]


def test_a_comments_metadata_names_the_commenter_and_where_it_is() -> None:
    assert comment_metadata(comment()) == {
        "messenger": {"mid": THREAD, "kind": "comment", "title": "Jak zwrócić produkt?"},
        "comment": {"comment_id": THREAD, "post_id": "1_444", "parent_id": "1_444"},
        "customer_name": "Anna Nowak",
    }


async def test_a_comment_conversation_keeps_its_order_across_commenters(client: aioredis.Redis) -> None:
    inbox = MessengerInbox(client)
    await inbox.accept([comment("444_1", commenter="1"), comment("444_2", commenter="2")])
    first, second = await inbox.take("c", block_ms=10)
    assert not await inbox.turn(*second)  # another commenter, the same thread: waits
    await inbox.done(*first)
    assert await inbox.turn(*second)
    assert await inbox.stored(comment("444_1")) is False
