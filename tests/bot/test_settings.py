import pytest

from bot.settings import SettingsError, port_from_env


def test_action_server_port_names_the_variable() -> None:
    assert port_from_env({}, "ACTION_PORT", "5055") == 5055
    with pytest.raises(SettingsError, match="ACTION_PORT must be a port number"):
        port_from_env({"ACTION_PORT": "0"}, "ACTION_PORT", "5055")
