from bot.core.messenger_window import Window, closed_reason, window

NOW, HOUR = 1_800_000_000.0, 3600


def test_windows_by_the_time_of_the_customers_last_message() -> None:
    assert window(None, NOW) is Window.STANDARD  # unknown: the bot answers what it just received
    assert window(NOW - 24 * HOUR, NOW) is Window.STANDARD
    assert window(NOW - 24 * HOUR - 1, NOW) is Window.HUMAN_AGENT
    assert window(NOW - 7 * 24 * HOUR, NOW) is Window.HUMAN_AGENT
    assert window(NOW - 7 * 24 * HOUR - 1, NOW) is Window.CLOSED


def test_the_closed_reason_names_the_window_and_the_age() -> None:
    reason = closed_reason(NOW - 8 * 24 * HOUR, NOW)
    assert "7-day window" in reason and "8.0 days ago" in reason
