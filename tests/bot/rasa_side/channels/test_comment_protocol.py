"""Page comments in the Messenger webhook (the ``feed`` field), shaped like Meta's documented examples."""

import json
import logging
from typing import Any

import pytest

from bot.rasa_side.channels.messenger_protocol import ATTACHMENT_INTENT, Inbound, PayloadError, parse_webhook, rasa_text

PAGE = "1029384756"
POST = f"{PAGE}_444444444"


def comment(**value: Any) -> dict[str, Any]:
    """One ``changes`` item as in Meta's "Webhooks for Pages" feed example (a new comment)."""
    base = {"from": {"id": "24242424242", "name": "Cinderella Hoover"},
            "post": {"status_type": "mobile_status_update", "is_published": True, "id": POST},
            "message": "Gdzie jest moja paczka?", "post_id": POST, "comment_id": f"{POST[len(PAGE) + 1:]}_555555555",
            "created_time": 1583173667, "item": "comment", "parent_id": POST, "verb": "add"}
    return {"field": "feed", "value": {**base, **value}}


def body(*changes: Any, messaging: list[dict[str, Any]] | None = None) -> bytes:
    entry: dict[str, Any] = {"id": PAGE, "time": 1583173667, "changes": list(changes)}
    if messaging is not None:
        entry["messaging"] = messaging
    return json.dumps({"object": "page", "entry": [entry]}).encode()


def test_a_comment_becomes_an_event_of_its_own_conversation() -> None:
    [event] = parse_webhook(body(comment()))
    assert event == Inbound("comment", "24242424242", "444444444_555555555", "Gdzie jest moja paczka?",
                            "Gdzie jest moja paczka?", 1583173667000, "Cinderella Hoover", POST, POST,
                            "444444444_555555555")
    assert event.sender_id == "comment:444444444_555555555" == event.order_id
    assert Inbound.from_json(event.to_json()) == event  # through the inbox and back


def test_a_reply_to_a_comment_joins_its_parents_conversation() -> None:
    [reply] = parse_webhook(body(comment(comment_id="444444444_666", parent_id="444444444_555555555",
                                         message="Mam to samo!", created_time="2024-03-01T12:00:00+0000")))
    assert (reply.event_id, reply.thread_id, reply.sender_id) == (
        "444444444_666", "444444444_555555555", "comment:444444444_555555555")
    assert reply.timestamp_ms == 1709294400000


def test_a_photo_without_words_takes_the_attachment_path() -> None:
    [photo] = parse_webhook(body(comment(message=None, photo="https://scontent.xx/photo.jpg")))
    assert rasa_text(photo) == ATTACHMENT_INTENT
    [worded] = parse_webhook(body(comment()))
    assert rasa_text(worded) == "Gdzie jest moja paczka?"


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (comment(**{"from": {"id": PAGE, "name": "Our shop"}}), "the page's own comment"),
        (comment(item="like"), "item 'like'"),
        (comment(item="reaction", reaction_type="love"), "item 'reaction'"),
        (comment(item="status"), "item 'status'"),
        (comment(verb="edited"), "verb 'edited'"),
        (comment(verb="remove"), "verb 'remove'"),
        (comment(verb="hide"), "verb 'hide'"),
        ({**comment(), "field": "ratings"}, "field 'ratings'"),
        ({"field": "feed", "value": "not an object"}, "not a change with a value object"),
        ("not a change", "not a change with a value object"),
        (comment(**{"from": None}), "without from.id"),
        (comment(comment_id=None), "without from.id, comment_id"),
        (comment(comment_id="1_2/../x"), "not digits and underscores"),
        (comment(parent_id="ho:queue"), "not digits and underscores"),
    ],
)
def test_what_is_not_a_new_comment_is_skipped_with_a_log(change: Any, why: str,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="bot.rasa_side.channels.comment_protocol"):
        assert parse_webhook(body(change)) == []
    assert why in caplog.text and "entry[0].changes[0] skipped" in caplog.text


def test_changes_that_are_not_a_list_are_skipped() -> None:
    raw = json.dumps({"object": "page", "entry": [{"id": PAGE, "changes": {"field": "feed"}}]}).encode()
    assert parse_webhook(raw) == []


def test_a_bad_change_does_not_cost_the_good_ones() -> None:
    events = parse_webhook(body({"field": "feed"}, comment(verb="edited"), comment(), comment(item="like")))
    assert [e.kind for e in events] == ["comment"]


def test_an_unusable_name_is_dropped_not_the_comment() -> None:
    [long] = parse_webhook(body(comment(**{"from": {"id": "7", "name": "x" * 81}})))
    [control] = parse_webhook(body(comment(**{"from": {"id": "7", "name": "Anna\u0000Nowak"}})))
    [spaced] = parse_webhook(body(comment(**{"from": {"id": "7", "name": "  Anna   Nowak "}})))
    assert (long.name, control.name, spaced.name) == ("", "", "Anna Nowak")


def test_one_body_may_hold_messages_and_comments() -> None:
    message = {"sender": {"id": "7"}, "recipient": {"id": PAGE}, "timestamp": 1,
               "message": {"mid": "m1", "text": "hej"}}
    mixed = json.dumps({"object": "page", "entry": [
        {"id": PAGE, "time": 1, "messaging": [message]},
        {"id": PAGE, "time": 2, "changes": [comment()]},
        {"id": PAGE, "time": 3, "changes": [comment(comment_id="444444444_7")], "messaging": [
            {**message, "message": {"mid": "m2", "text": "i jeszcze"}}]},
    ]}).encode()
    assert [(e.kind, e.event_id) for e in parse_webhook(mixed)] == [
        ("text", "m1"), ("comment", "444444444_555555555"), ("comment", "444444444_7"), ("text", "m2")]


@pytest.mark.parametrize(
    "raw",
    [b'{"object": "user", "entry": []}', b'{"object": "page", "entry": [{"id": "1"}]}', b"[]"],
)
def test_a_body_that_is_no_page_event_is_still_refused(raw: bytes) -> None:
    with pytest.raises(PayloadError) as caught:
        parse_webhook(raw)
    assert caught.value.status == 400
