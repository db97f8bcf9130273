"""Who gets into the queue and how far up: the plain decisions of handoff.admission."""

import pytest

from bot.core.clients import client_key
from bot.core.settings import SettingsError
from handoff.admission import (
    MAX_LIFT_MINUTES,
    Lane,
    TicketCaps,
    lane,
    lift_minutes,
    parse_client_ip,
    parse_exchanges,
    queue_score,
)


def test_only_a_real_exchange_lifts_a_ticket() -> None:
    assert lift_minutes(["legal_threat"], exchanges=1) == 45
    assert lift_minutes(["legal_threat"], exchanges=0) == 0
    assert queue_score(10_000.0, ["legal_threat"], 0) == 10_000.0  # a cold threat waits its turn
    assert queue_score(10_000.0, ["legal_threat"], 2) == 10_000.0 - 45 * 60


def test_cold_tickets_over_the_rate_are_held_back_real_ones_never() -> None:
    caps = TicketCaps(new_per_minute=30)
    assert lane(0, 30, caps) == Lane.QUEUE and lane(0, 31, caps) == Lane.OVERFLOW
    assert lane(1, 10_000, caps) == Lane.QUEUE


def test_the_per_address_cap_counts_an_ipv6_subscriber_as_one() -> None:
    assert client_key("") == ""
    assert client_key("203.0.113.9") == "203.0.113.9"
    assert client_key("2001:db8:1:2::5") == client_key("2001:db8:1:2:ffff::1") == "2001:db8:1:2::/64"
    assert client_key("::ffff:203.0.113.9") == "203.0.113.9"


@pytest.mark.parametrize("value", ["localhost", "1.2.3.4, 5.6.7.8", 7, "9" * 46])
def test_a_bad_client_ip_is_refused_naming_the_field(value: object) -> None:
    with pytest.raises(ValueError, match="client_ip"):
        parse_client_ip(value)


def test_client_ip_and_exchanges_may_be_missing() -> None:
    assert parse_client_ip(None) == parse_client_ip("") == ""
    assert parse_client_ip("2001:DB8::1") == "2001:db8::1"
    assert parse_exchanges(None) == 0 and parse_exchanges(3) == 3


@pytest.mark.parametrize("value", [-1, 1.5, "2", True, 10_001])
def test_bad_exchanges_are_refused_naming_the_field(value: object) -> None:
    with pytest.raises(ValueError, match="exchanges"):
        parse_exchanges(value)


def test_caps_come_from_the_environment_and_bad_ones_name_the_variable() -> None:
    assert TicketCaps.from_env({}) == TicketCaps(new_per_minute=30, max_open_per_client=3)
    caps = TicketCaps.from_env({"HANDOFF_NEW_TICKETS_PER_MINUTE": "5", "HANDOFF_MAX_OPEN_TICKETS_PER_IP": "2"})
    assert (caps.new_per_minute, caps.max_open_per_client) == (5, 2)
    for name in ("HANDOFF_NEW_TICKETS_PER_MINUTE", "HANDOFF_MAX_OPEN_TICKETS_PER_IP"):
        with pytest.raises(SettingsError, match=name):
            TicketCaps.from_env({name: "0"})


def test_a_ticket_that_waited_the_longest_lift_is_never_overtaken() -> None:
    noon = 1_795_690_800.0
    waited = queue_score(noon, [], exchanges=1)
    later = noon + 60 * MAX_LIFT_MINUTES
    newer = [queue_score(later + s, ["legal_threat", "public_threat"], exchanges=3) for s in range(1, 3600, 7)]
    assert min(newer) > waited
    assert queue_score(later - 60, ["legal_threat"], exchanges=3) < waited  # a younger wait may still be overtaken
    assert lift_minutes(["legal_threat"], exchanges=1) <= MAX_LIFT_MINUTES
