from handoff.transcript import last_customer_text, transcript


def test_transcript_from_rasa_events() -> None:
    events = [
        {"event": "action", "name": "action_listen", "timestamp": 1.0},
        {"event": "user", "text": "Gdzie moja paczka?!", "timestamp": 2.0},
        {"event": "bot", "text": "Przekazuję rozmowę konsultantowi.", "timestamp": 3.0},
        {"event": "bot", "text": None, "data": {"custom": {"handoff": {"state": "queued"}}}, "timestamp": 3.5},
        {"event": "pause", "timestamp": 3.6},
        {"event": "user", "text": "halo?", "timestamp": 4.0},
        {"event": "bot", "text": "Dzień dobry, tu Anna.", "timestamp": 5.0,
         "metadata": {"moderator": "anna", "moderator_name": "Anna"}},
        {"event": "user", "text": '/choose_topic{"faq_id":"x"}', "timestamp": 6.0,
         "metadata": {"messenger": {"title": "Zwroty"}}},
    ]
    assert transcript(events) == [
        {"role": "customer", "text": "Gdzie moja paczka?!", "at": 2.0},
        {"role": "bot", "text": "Przekazuję rozmowę konsultantowi.", "at": 3.0},
        {"role": "customer", "text": "halo?", "at": 4.0},
        {"role": "moderator", "text": "Dzień dobry, tu Anna.", "at": 5.0, "name": "Anna"},
        {"role": "customer", "text": "Zwroty", "at": 6.0},
    ]
    assert transcript(events, limit=2)[0]["text"] == "Dzień dobry, tu Anna."
    assert last_customer_text(events) == "Gdzie moja paczka?! halo?"
    assert last_customer_text(events, messages=1) == "halo?"
