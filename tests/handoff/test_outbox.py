from handoff.outbox import already_delivered, rasa_events


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
