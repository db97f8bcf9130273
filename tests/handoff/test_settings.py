import pytest

from handoff.settings import DEFAULT_REDIS_URL, Settings, SettingsError


def test_defaults_listen_on_loopback() -> None:
    settings = Settings.from_env({})
    assert (settings.host, settings.port, settings.redis_url) == ("127.0.0.1", 8008, DEFAULT_REDIS_URL)


@pytest.mark.parametrize(
    ("env", "name"), [({"HANDOFF_PORT": "http"}, "HANDOFF_PORT"), ({"REDIS_URL": "localhost"}, "REDIS_URL")]
)
def test_bad_values_name_the_variable(env: dict[str, str], name: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env(env)

