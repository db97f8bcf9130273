import pytest

from bot.core.settings import SettingsError
from bot.rasa_side.channels.messenger_settings import MessengerSettings


def test_defaults() -> None:
    settings = MessengerSettings.from_env({})
    assert settings == MessengerSettings("GET_STARTED", "pl", 7 * 24 * 3600, 300)


def test_values_from_the_environment() -> None:
    settings = MessengerSettings.from_env({"MESSENGER_GET_STARTED_PAYLOAD": "START", "MESSENGER_PAGE_LANG": "en",
                                           "MESSENGER_PROFILE_TTL_SECONDS": "3600", "MESSENGER_PROFILE_WAIT_MS": "0"})
    assert settings == MessengerSettings("START", "en", 3600, 0)


@pytest.mark.parametrize(("name", "value"), [
    ("MESSENGER_PAGE_LANG", "de"), ("MESSENGER_PAGE_LANG", ""), ("MESSENGER_PROFILE_TTL_SECONDS", "soon"),
    ("MESSENGER_PROFILE_TTL_SECONDS", "1"), ("MESSENGER_PROFILE_WAIT_MS", "60000"),
    ("MESSENGER_GET_STARTED_PAYLOAD", " "), ("MESSENGER_GET_STARTED_PAYLOAD", "x" * 1001),
])
def test_bad_values_fail_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        MessengerSettings.from_env({name: value})
