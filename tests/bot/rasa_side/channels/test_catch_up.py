"""The widget's catch-up selection and message shape (bot/rasa_side/channels/catch_up.py)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.rasa_side.channels.catch_up import (
    CLOCK_SKEW_SECONDS,
    CatchUp,
    ids_room,
    message_of,
    select,
    since,
    wants_ids,
    widget_payload,
)


def bot(ts: float, text: str | None = None, **data: Any) -> dict[str, Any]:
    return {"event": "bot", "timestamp": ts, "text": text, "data": data, "metadata": {"outbox": f"1-{ts}"}}


def user(ts: float, text: str) -> dict[str, Any]:
    return {"event": "user", "timestamp": ts, "text": text, "metadata": {}}


EVENTS = [
    user(1.0, "cześć"),
    {"event": "action", "timestamp": 1.1, "name": "action_answer"},
    bot(1.2, "Dzień dobry!"),
    user(2.0, "chcę rozmawiać z konsultantem"),
    bot(2.1, "Czekasz na konsultanta", custom={"handoff": {"state": "queued", "position": 1}}),
    {"event": "pause", "timestamp": 2.2},
    bot(3.0, None, custom={"handoff": {"state": "human", "moderator": "Anna"}}),
    bot(3.5, "Anna: Już sprawdzam."),
    user(4.0, "dzięki"),
    bot(4.5, "Anna: Paczka wyszła wczoraj."),
]


def texts(chosen: CatchUp) -> list[Any]:
    return [m.get("text") for m in chosen.messages]


def test_the_bot_messages_after_the_last_shown_id_come_in_stored_order_with_their_ids() -> None:
    chosen = select(EVENTS, 2.1)
    assert chosen.found
    assert texts(chosen) == [None, "Anna: Już sprawdzam.", "Anna: Paczka wyszła wczoraj."]
    assert [m["id"] for m in chosen.messages] == [3.0, 3.5, 4.5]
    assert chosen.messages[0] == {"id": 3.0, "custom": {"handoff": {"state": "human", "moderator": "Anna"}}}


def test_the_newest_id_means_nothing_was_missed() -> None:
    assert select(EVENTS, 4.5) == CatchUp([], True)


def test_no_id_yet_means_nothing_is_sent() -> None:
    assert select(EVENTS, None) == CatchUp([], True)  # a fresh widget shows its welcome
    assert select([], None) == CatchUp([], True)


@pytest.mark.parametrize("last_id", [
    99.0,  # from the future (or another conversation's)
    2.0,  # a customer message's timestamp is no bot message's id
    1.1,  # nor an action's
    "3.5", True, float("nan"), float("inf"), [3.5], {"id": 3.5},
])
def test_an_id_that_is_no_bot_message_of_the_conversation_selects_nothing(last_id: Any) -> None:
    assert select(EVENTS, last_id) == CatchUp([], False)


def test_an_integral_id_matches_its_float() -> None:
    events = [bot(1700000000.0, "a"), bot(1700000001.5, "b")]
    assert texts(select(events, 1700000000)) == ["b"]


def test_nothing_is_selected_twice_even_when_two_messages_share_a_timestamp() -> None:
    events = [bot(5.0, "a"), bot(5.0, "b"), bot(6.0, "c")]
    chosen = select(events, 5.0)  # the later of the two: what was shown last
    assert texts(chosen) == ["c"]


def test_bot_events_that_show_nothing_are_skipped() -> None:
    events = [bot(1.0, "a"), bot(2.0, None), bot(3.0, "")]
    assert select(events, 1.0) == CatchUp([], True)


def test_a_stored_message_has_the_shape_of_a_live_one() -> None:
    """Live: Rasa's ``BotUttered.message()`` (data, text, timestamp, metadata) goes through
    ``widget_payload``; stored: the same from the event dict."""
    live = {"text": "Który temat?", "buttons": [{"title": "Zwroty", "payload": "/choose_topic"}],
            "timestamp": 7.25, "outbox": "1-1", "image": None, "attachment": None}
    stored = bot(7.25, "Który temat?", buttons=[{"title": "Zwroty", "payload": "/choose_topic"}])
    assert widget_payload(live) == widget_payload(message_of(stored)) == {
        "id": 7.25, "text": "Który temat?",
        "quick_replies": [{"content_type": "text", "title": "Zwroty", "payload": "/choose_topic"}]}


def test_one_payload_carries_text_custom_and_image_of_one_event() -> None:
    message = message_of(bot(8.0, "Anna dołączyła", custom={"handoff": {"state": "human"}}, image="https://x/y.png"))
    assert widget_payload(message) == {"id": 8.0, "text": "Anna dołączyła", "custom": {"handoff": {"state": "human"}},
                                       "attachment": {"type": "image", "payload": {"src": "https://x/y.png"}}}
    assert widget_payload({"text": "a", "timestamp": None}) is None  # no id, no payload


def test_ids_are_asked_for_explicitly_and_have_their_own_room() -> None:
    assert wants_ids({"message_ids": True})
    assert not wants_ids(None) and not wants_ids({"message_ids": "yes"}) and not wants_ids(["message_ids"])
    room = ids_room("web:0b5d2f0e-6c1b-4a8e-9a53-8f1d8f0c2a11")
    assert room != "web:0b5d2f0e-6c1b-4a8e-9a53-8f1d8f0c2a11" and room.startswith("web:")


def test_an_id_never_stored_is_read_as_a_time_less_the_clock_skew() -> None:
    """Shown by a Rasa killed before it saved the turn: what was stamped after it (and up to
    ``CLOCK_SKEW_SECONDS`` before, which the widget knows by id) is sent."""
    assert CLOCK_SKEW_SECONDS == 10.0
    events = [bot(100.0, "a"), user(105.0, "?"), bot(111.0, "b"), bot(125.0, None, custom={"x": 1}), bot(130.0, "c")]
    assert texts(since(events, 120.0)) == ["b", None, "c"]  # 111 is within the skew: sent, dropped by its id
    assert [m["id"] for m in since(events, 120.0).messages] == [111.0, 125.0, 130.0]
    assert since(events, 200.0) == CatchUp([], True)  # from the future: nothing, and no error
    assert since([], 120.0) == CatchUp([], True)  # an erased conversation
    assert texts(since([bot(5.0, "x"), {"event": "bot", "timestamp": "late", "text": "y"}], 0.0)) == ["x"]
    delivered_late = [bot(100.0, "a"), bot(130.0, "b"), bot(90.0, "written at 90, stored after b"), bot(131.0, "c")]
    assert texts(since(delivered_late, 125.0)) == ["b", "written at 90, stored after b", "c"]  # the list's order
