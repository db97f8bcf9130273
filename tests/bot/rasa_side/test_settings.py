"""The channels' settings (bot/rasa_side/settings.py): defaults, and errors that name the variable."""

import pytest

from bot.core.settings import SettingsError
from bot.rasa_side.settings import (
    CONVERSATION_PER_MINUTE,
    IP_PER_MINUTE,
    MAX_MESSAGE_CHARS,
    NEW_CONVERSATIONS_PER_IP_PER_HOUR,
    PSID_PER_MINUTE,
    ChannelSettings,
)

ORIGIN = {"WIDGET_ALLOWED_ORIGINS": "https://shop.example"}


def test_defaults_are_safe_for_production() -> None:
    s = ChannelSettings.from_env(ORIGIN)
    assert not s.rest_channel
    assert s.trusted_proxies == frozenset()
    assert s.widget_allowed_origins == ("https://shop.example",)
    assert s.max_message_chars == MAX_MESSAGE_CHARS
    assert (s.limits.conversation_per_minute, s.limits.ip_per_minute, s.limits.new_conversations_per_ip_per_hour,
            s.limits.psid_per_minute) == (CONVERSATION_PER_MINUTE, IP_PER_MINUTE, NEW_CONVERSATIONS_PER_IP_PER_HOUR,
                                          PSID_PER_MINUTE)


def test_everything_can_be_set() -> None:
    s = ChannelSettings.from_env({
        "REST_CHANNEL": "on", "TRUSTED_PROXIES": "10.0.0.1, ::1", "CHANNEL_MAX_MESSAGE_CHARS": "500",
        "WIDGET_ALLOWED_ORIGINS": "http://127.0.0.1:8008, http://localhost:8008", "LIMIT_IP_PER_MINUTE": "7",
        "LIMIT_CONVERSATION_PER_MINUTE": "3", "LIMIT_NEW_CONVERSATIONS_PER_IP_PER_HOUR": "2",
        "LIMIT_PSID_PER_MINUTE": "4", "MESSENGER_MAX_BODY_BYTES": "2048", "WIDGET_MAX_PAGE_CHARS": "100"})
    assert s.rest_channel and s.trusted_proxies == {"10.0.0.1", "::1"}
    assert s.widget_allowed_origins == ("http://127.0.0.1:8008", "http://localhost:8008")
    assert (s.max_message_chars, s.max_body_bytes, s.max_page_chars) == (500, 2048, 100)
    assert (s.limits.conversation_per_minute, s.limits.ip_per_minute, s.limits.new_conversations_per_ip_per_hour,
            s.limits.psid_per_minute) == (3, 7, 2, 4)


@pytest.mark.parametrize(("env", "named"), [
    ({}, "WIDGET_ALLOWED_ORIGINS"),
    ({"WIDGET_ALLOWED_ORIGINS": " , "}, "WIDGET_ALLOWED_ORIGINS"),
    ({"WIDGET_ALLOWED_ORIGINS": "*"}, "WIDGET_ALLOWED_ORIGINS"),
    ({"WIDGET_ALLOWED_ORIGINS": "https://shop.example/"}, "WIDGET_ALLOWED_ORIGINS"),
    ({"WIDGET_ALLOWED_ORIGINS": "shop.example"}, "WIDGET_ALLOWED_ORIGINS"),
    ({**ORIGIN, "REST_CHANNEL": "yes"}, "REST_CHANNEL"),
    ({**ORIGIN, "TRUSTED_PROXIES": "10.0.0.0/8"}, "TRUSTED_PROXIES"),
    ({**ORIGIN, "TRUSTED_PROXIES": "haproxy"}, "TRUSTED_PROXIES"),
    ({**ORIGIN, "LIMIT_IP_PER_MINUTE": "0"}, "LIMIT_IP_PER_MINUTE"),
    ({**ORIGIN, "LIMIT_CONVERSATION_PER_MINUTE": "lots"}, "LIMIT_CONVERSATION_PER_MINUTE"),
    ({**ORIGIN, "LIMIT_NEW_CONVERSATIONS_PER_IP_PER_HOUR": "-1"}, "LIMIT_NEW_CONVERSATIONS_PER_IP_PER_HOUR"),
    ({**ORIGIN, "LIMIT_PSID_PER_MINUTE": ""}, "LIMIT_PSID_PER_MINUTE"),
    ({**ORIGIN, "CHANNEL_MAX_MESSAGE_CHARS": "0"}, "CHANNEL_MAX_MESSAGE_CHARS"),
    ({**ORIGIN, "MESSENGER_MAX_BODY_BYTES": "10"}, "MESSENGER_MAX_BODY_BYTES"),
])
def test_a_bad_variable_stops_the_start_naming_it(env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        ChannelSettings.from_env(env)
