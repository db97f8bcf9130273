import pytest

from handoff.settings import DEFAULT_REDIS_URL, Settings, SettingsError

SECRETS = {"RASA_TOKEN": "r" * 20, "HANDOFF_SERVICE_TOKEN": "s" * 20}


def test_defaults_listen_on_loopback() -> None:
    settings = Settings.from_env(SECRETS)
    assert (settings.host, settings.port, settings.redis_url) == ("127.0.0.1", 8008, DEFAULT_REDIS_URL)
    assert (settings.sla_minutes, settings.register, settings.cookie_secure) == (30, "ty", False)
    assert (settings.opening_hours.opens.hour, settings.opening_hours.closes.hour) == (8, 22)
    assert "r" * 20 not in repr(settings) and "s" * 20 not in repr(settings)  # secrets never print


@pytest.mark.parametrize(
    ("env", "name"),
    [({"HANDOFF_PORT": "http"}, "HANDOFF_PORT"), ({"REDIS_URL": "localhost"}, "REDIS_URL"),
     ({"RASA_TOKEN": ""}, "RASA_TOKEN"), ({"HANDOFF_SERVICE_TOKEN": "short"}, "HANDOFF_SERVICE_TOKEN"),
     ({"HANDOFF_SLA_MINUTES": "0"}, "HANDOFF_SLA_MINUTES"), ({"BRAND_REGISTER": "vy"}, "BRAND_REGISTER"),
     ({"HANDOFF_OPENING_HOURS": "22-8"}, "HANDOFF_OPENING_HOURS"),
     ({"HANDOFF_TIMEZONE": "Mars/Base"}, "HANDOFF_TIMEZONE"),
     ({"HANDOFF_COOKIE_SECURE": "yes"}, "HANDOFF_COOKIE_SECURE"), ({"RASA_URL": "rasa:5005"}, "RASA_URL")],
)
def test_bad_values_name_the_variable(env: dict[str, str], name: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({**SECRETS, **env})


def test_the_tracker_stores_prefix_and_the_learning_loops_paths_come_from_one_place() -> None:
    settings = Settings.from_env({**SECRETS, "TRACKER_KEY_PREFIX": "brand2", "ARCHIVE_DIR": "/srv/archive"})
    assert settings.tracker_keys.events("web:x") == "brand2:events:web:x"
    assert settings.tracker_keys.stream == "brand2:stream:events"
    assert str(settings.archive_dir) == str(settings.admin_paths.archive) == "/srv/archive"
