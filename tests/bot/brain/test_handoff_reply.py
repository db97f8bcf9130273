"""What a customer handed to people is told: a number only when someone can take the ticket."""

from bot.brain.replies import handoff_reply


def test_the_place_and_the_expected_wait() -> None:
    text = handoff_reply({"state": "queued", "position": 2, "expected_wait_minutes": 10}, "en")
    assert "number 2" in text and "about 10 min" in text


def test_without_an_estimate_no_number_is_promised() -> None:
    text = handoff_reply({"state": "queued", "position": 2}, "pl", "pan")  # nobody available now
    assert "Jest Pan/Pani 2. w kolejce" in text and "gdy tylko ktoś się zwolni" in text and "min" not in text
