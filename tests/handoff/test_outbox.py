import json
from typing import Any

import pytest
import redis.asyncio as aioredis

from bot.core import keys
from handoff.outbox import OutboxDelivery, already_delivered, entry_timestamp, rasa_events


def test_reply_is_signed_and_marked_as_a_moderators() -> None:
    [event] = rasa_events("reply", {"text": "Już sprawdzam.", "moderator": "anna", "moderator_name": "Anna"},
                          "pl", "ty", "T000001")
    assert event["event"] == "bot" and event["text"] == "Już sprawdzam.\n— Anna"
    assert event["metadata"] == {"moderator": "anna", "moderator_name": "Anna", "ticket": "T000001"}


def test_claim_tells_the_customer_who_joined() -> None:
    [event] = rasa_events("status", {"handoff": {"state": "human", "moderator": "Anna"}}, "en", "ty", "T1")
    assert event["text"] == "Anna from our customer care team has joined the conversation."
    assert event["data"] == {"custom": {"handoff": {"state": "human", "moderator": "Anna"}}}


def test_queue_updates_carry_no_text() -> None:
    [event] = rasa_events("queue", {"handoff": {"state": "queued", "position": 2}}, "pl", "pan", "T1")
    assert event["text"] is None and event["data"]["custom"]["handoff"]["position"] == 2


def test_hand_back_resumes_then_listens_then_speaks() -> None:
    events = rasa_events("handback", {"text": ""}, "pl", "pan", "T1")
    assert [e["event"] for e in events] == ["resume", "action", "bot"]
    assert events[1]["name"] == "action_listen" and events[2]["text"].startswith("Wraca Pan/Pani")


def test_redelivery_is_recognised_by_the_entry_id() -> None:
    events = [{"event": "user", "text": "hej"}, {"event": "bot", "text": "x", "metadata": {"outbox": "1-0"}}]
    assert already_delivered(events, "1-0") and not already_delivered(events, "2-0")


def test_queue_updates_reach_messenger_as_a_line_in_the_tickets_language() -> None:
    state = {"state": "queued", "position": 2, "expected_wait_minutes": 4.2}
    [pl] = rasa_events("queue", {"handoff": state}, "pl", "ty", "T1", "messenger:123")
    assert pl["data"]["custom"]["handoff"] == state
    assert pl["data"]["custom"]["messenger"] == {
        "text": "Czekasz na konsultanta – jesteś 2. w kolejce, przewidywany czas ok. 5 min."}
    [en] = rasa_events("queue", {"handoff": state}, "en", "ty", "T1", "messenger:123")
    assert en["data"]["custom"]["messenger"]["text"].startswith("Waiting for an agent – you are number 2")
    [web] = rasa_events("queue", {"handoff": state}, "pl", "ty", "T1", "web:00000000-0000-4000-8000-000000000001")
    assert "messenger" not in web["data"]["custom"]  # the widget shows its own status bar


def test_queue_line_out_of_hours_says_when_people_are_back() -> None:
    state = {"state": "queued", "position": 1, "expected_wait_minutes": 5,
             "reply_by": "2025-01-07T08:00:00+01:00", "reply_day": "tomorrow"}
    [event] = rasa_events("queue", {"handoff": state}, "pl", "pan", "T1", "messenger:123")
    assert event["data"]["custom"]["messenger"]["text"] == (
        "Czeka Pan/Pani na konsultanta – jest Pan/Pani 1. w kolejce. Jesteśmy poza godzinami pracy, "
        "odpowiemy jutro po 08:00.")


def test_queue_line_without_an_estimate_promises_no_number() -> None:
    state = {"state": "queued", "position": 3}  # nobody available now (handoff.wait_estimate)
    [pan] = rasa_events("queue", {"handoff": state}, "pl", "pan", "T1", "messenger:123")
    assert pan["data"]["custom"]["messenger"]["text"] == (
        "Czeka Pan/Pani na konsultanta – jest Pan/Pani 3. w kolejce. Odpowiemy, gdy tylko ktoś się zwolni.")
    [en] = rasa_events("queue", {"handoff": state}, "en", "ty", "T1", "messenger:123")
    assert "as soon as someone is free" in en["data"]["custom"]["messenger"]["text"]


def test_an_entrys_timestamp_is_its_stream_id_in_seconds_and_keeps_the_streams_order() -> None:
    assert entry_timestamp("1733560000123-0") == 1733560000.123
    ids = ["1733560000123-0", "1733560000123-1", "1733560000123-2", "1733560000124-0"]
    stamps = [entry_timestamp(i) for i in ids]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
    assert json.loads(json.dumps(stamps)) == stamps  # Python's JSON; Rasa's and the browser's: tests/integration
    assert entry_timestamp("1733560000123-999") < entry_timestamp("1733560000124-0")
    assert entry_timestamp("1733560000123-1000") is None  # could meet the next millisecond's: Rasa's clock
    for bad in ("", "1733560000123", "abc-0", "1-x", "-1-0"):
        with pytest.raises(ValueError, match="not a stream entry id"):
            entry_timestamp(bad)


class Pushes:
    """Rasa as the outbox sees it: what each push was asked to append."""

    def __init__(self) -> None:
        self.pushed: list[tuple[str, list[dict[str, Any]]]] = []

    async def push_events(self, conversation_id: str, events: list[dict[str, Any]]) -> None:
        self.pushed.append((conversation_id, json.loads(json.dumps(events))))


async def test_a_message_delivered_again_after_rasa_died_before_storing_it_keeps_its_id(redis_url: str) -> None:
    """Rasa showed the reply and died before saving it: the entry is delivered again, and both
    deliveries carry the same timestamp (the widget's id), the entry's own."""
    client = aioredis.from_url(redis_url, decode_responses=True)
    try:
        rasa = Pushes()
        deliver = OutboxDelivery(rasa, client, "ty")  # type: ignore[arg-type]
        entry = {"conversation_id": "web:outbox-1", "kind": "reply", "ticket": "T1",
                 "payload": json.dumps({"text": "Sprawdzam.", "moderator": "anna", "moderator_name": "Anna"})}
        await deliver("1733560000123-4", entry)
        await deliver("1733560000123-4", entry)  # nothing stored in between: delivered again, same id
        (_, first), (_, again) = rasa.pushed
        assert first == again and first[0]["timestamp"] == entry_timestamp("1733560000123-4")
        assert first[0]["metadata"]["outbox"] == "1733560000123-4"

        await client.rpush(keys.TrackerKeys().events("web:outbox-1"), json.dumps(first[0]))  # now stored
        await deliver("1733560000123-4", entry)
        assert len(rasa.pushed) == 2  # stored once: not delivered a third time

        handback = {"conversation_id": "web:outbox-1", "kind": "handback", "ticket": "T1", "payload": "{}"}
        await deliver("1733560000124-0", handback)
        assert {e["timestamp"] for e in rasa.pushed[-1][1]} == {1733560000.124}  # every event of the entry
        await deliver("1733560000124-1000", entry)  # past a millisecond's thousandth entry
        assert "timestamp" not in rasa.pushed[-1][1][0]  # Rasa stamps it
    finally:
        await client.aclose()
