"""The fake Graph API refuses what Meta refuses, and never what the product sends."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from bot.rasa_side.channels.messenger_protocol import send_api_messages
from tests.fakes.graph_api import create_app
from tests.fakes.graph_checks import GraphError, check_comment_reply, check_profile, check_send, check_token

RESPONSE = {"messaging_type": "RESPONSE"}


def message(body: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"recipient": {"id": "7"}, "message": body, **RESPONSE, **fields}


@pytest.mark.parametrize("messages", [
    send_api_messages("Krótko."),
    send_api_messages("x " * 3000),  # split into parts
    send_api_messages("Który temat?", [{"title": f"Temat {i}", "payload": f'/choose_topic{{"faq_id":"t{i}"}}'}
                                       for i in range(20)]),  # capped at 13
    send_api_messages("Który?", [{"title": "Bardzo długi tytuł tematu, dłuższy niż dwadzieścia znaków",
                                  "payload": "/x"}]),
    send_api_messages("", [{"title": "Tak", "payload": "/y"}]),
])
def test_what_the_product_sends_is_accepted(messages: list[dict[str, Any]]) -> None:
    for sent in messages:
        assert check_send(message(sent)) == "message"
        assert check_send(message(sent, messaging_type="MESSAGE_TAG", tag="HUMAN_AGENT")) == "message"
    for action in ("mark_seen", "typing_on", "typing_off"):
        assert check_send({"recipient": {"id": "7"}, "sender_action": action}) == "sender_action"


@pytest.mark.parametrize(("body", "why"), [
    ({"recipient": {}, "message": {"text": "x"}, **RESPONSE}, "exactly one of id, comment_id"),
    ({"recipient": {"id": "7", "comment_id": "1_2"}, "message": {"text": "x"}, **RESPONSE}, "exactly one"),
    ({"recipient": {"id": "7"}, **RESPONSE}, "exactly one of message and sender_action"),
    ({"recipient": {"id": "7"}, "message": {"text": "x"}, "sender_action": "typing_on"}, "exactly one of message"),
    ({"recipient": {"id": "7"}, "sender_action": "wave"}, "sender_action must be one of"),
    ({"recipient": {"id": "7"}, "message": {"text": "x"}}, "messaging_type"),
    (message({"text": "x"}, messaging_type="NOTIFY"), "messaging_type"),
    (message({"text": "x"}, messaging_type="MESSAGE_TAG"), "param tag"),
    (message({"text": "x"}, messaging_type="MESSAGE_TAG", tag="SHOPPING"), "param tag"),
    (message({"text": "x"}, tag="HUMAN_AGENT"), "only allowed with messaging_type MESSAGE_TAG"),
    (message({"text": "x" * 2001}), "2000 or fewer"),
    (message({"text": ""}), "non-empty"),
    (message({}), "text or attachment"),
    (message({"text": "x", "quick_replies": [{"content_type": "text", "title": "t", "payload": "p"}] * 14}),
     "1-13 items"),
    (message({"text": "x", "quick_replies": [{"content_type": "text", "title": "t" * 21, "payload": "p"}]}),
     "title"),
    (message({"text": "x", "quick_replies": [{"content_type": "button", "title": "t", "payload": "p"}]}),
     "content_type"),
    (message({"text": "x", "quick_replies": [{"content_type": "text", "title": "t", "payload": "p" * 1001}]}),
     "payload"),
])
def test_what_meta_refuses_is_refused(body: dict[str, Any], why: str) -> None:
    with pytest.raises(GraphError, match=why):
        check_send(body)


def test_token_profile_fields_and_comment_replies_are_checked() -> None:
    with pytest.raises(GraphError) as caught:
        check_token({})
    assert caught.value.code == 190
    assert check_profile({"fields": "first_name,locale"}) == ["first_name", "locale"]
    with pytest.raises(GraphError, match="fields"):
        check_profile({})
    check_comment_reply({"message": "Odpowiedzieliśmy w wiadomości prywatnej"})
    with pytest.raises(GraphError, match="message"):
        check_comment_reply({"text": "x"})


async def test_errors_come_in_metas_shape_and_verbs_steer_failures_and_profiles(aiohttp_server: Any) -> None:
    client: TestServer = await aiohttp_server(create_app())
    async with aiohttp.ClientSession() as http:
        async with http.post(client.make_url("/v21.0/me/messages"), json=message({"text": "x"})) as r:
            assert r.status == 400  # no access_token
            error = (await r.json())["error"]
            assert error["type"] == "OAuthException" and error["code"] == 190 and error["fbtrace_id"]
        await http.post(client.make_url("/_fail"), json={"count": 1, "status": 429, "kind": "profile"})
        await http.post(client.make_url("/_profiles"), json={"psid": "9", "garbage": "<html>"})
        ok = await http.post(client.make_url("/v21.0/me/messages"), params={"access_token": "t"},
                             json={"recipient": {"id": "9"}, "sender_action": "typing_on"})
        assert ok.status == 200  # the failure waits for a profile call
        profile_url = client.make_url("/v21.0/9")
        params = {"access_token": "t", "fields": "first_name"}
        async with http.get(profile_url, params=params) as r:
            assert r.status == 429
        async with http.get(profile_url, params=params) as r:
            assert r.status == 200 and await r.text() == "<html>"
        async with http.post(client.make_url("/v21.0/123_456/comments"), params={"access_token": "t"},
                             json={"message": "Dziękujemy!"}) as r:
            assert r.status == 200 and (await r.json())["id"].startswith("123_456_")
        async with http.get(client.make_url("/_received")) as r:
            assert [x["failed"] for x in await r.json()] == [400]  # messages only by default, refused ones too
        async with http.get(client.make_url("/_received"), params={"all": "1"}) as r:
            kinds = [(x["kind"], x.get("failed")) for x in await r.json()]
    assert kinds == [("message", 400), ("sender_action", None), ("profile", 429), ("profile", None),
                     ("comment_reply", None)]


async def test_a_second_private_reply_to_a_comment_is_refused_as_meta_does(aiohttp_server: Any) -> None:
    client: TestServer = await aiohttp_server(create_app())
    url, params = client.make_url("/v21.0/me/messages"), {"access_token": "t"}
    reply = {"recipient": {"comment_id": "123_456"}, "message": {"text": "Odpowiadamy prywatnie."}, **RESPONSE}
    async with aiohttp.ClientSession() as http:
        async with http.post(url, params=params, json=reply) as r:
            assert r.status == 200
        async with http.post(url, params=params, json=reply) as r:
            assert r.status == 400 and (await r.json())["error"]["code"] == 10900
        other = {**reply, "recipient": {"comment_id": "123_789"}}
        async with http.post(url, params=params, json=other) as r:
            assert r.status == 200  # another comment has its own
