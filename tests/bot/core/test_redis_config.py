"""One description of how to reach Redis, from a URL or from Rasa's endpoint keys."""

from dataclasses import replace
from pathlib import Path

import pytest

from bot.core.redis_config import RedisConfig
from bot.core.settings import SettingsError


def test_a_rediss_url_with_user_password_and_ca_file_round_trips() -> None:
    config = RedisConfig.from_url("rediss://bot:p%40ss@cache.internal:6380/2?ssl_ca_certs=/etc/ca.crt")
    assert (config.host, config.port, config.db, config.username, config.password) == (
        "cache.internal", 6380, 2, "bot", "p@ss")
    assert config.tls and config.ca_file == "/etc/ca.crt"
    assert RedisConfig.from_url(config.full_url()) == config
    assert config.url() == "rediss://cache.internal:6380/2"  # shown: no user, no password
    assert "p@ss" not in repr(config)


def test_client_kwargs_verify_the_server_over_tls_only() -> None:
    kwargs = RedisConfig.from_url("rediss://:pw@h:1/0").client_kwargs()
    assert kwargs["ssl"] and kwargs["ssl_cert_reqs"] == "required" and kwargs["ssl_check_hostname"]
    assert kwargs["password"] == "pw" and kwargs["username"] is None
    assert "ssl" not in RedisConfig.from_url("redis://h:1/0").client_kwargs()


def test_endpoint_options_and_credentials_keys_give_the_same_config() -> None:
    config = RedisConfig(host="h", port=7, db=1, username="u", password="p", tls=True, ca_file="ca")
    as_yaml = {k: str(v) for k, v in config.endpoint_options().items()}  # Rasa substitutes strings
    assert RedisConfig.from_options(as_yaml) == config
    assert RedisConfig.from_options({f"redis_{k}": v for k, v in as_yaml.items()}, prefix="redis_") == config
    assert RedisConfig.from_options({"url": "h", "port": "", "use_ssl": ""}) == RedisConfig(host="h")


def test_the_environment_adds_tls_files(tmp_path: Path) -> None:
    ca = tmp_path / "ca.crt"
    ca.write_text("-")
    config = RedisConfig.from_env({"REDIS_URL": "rediss://h:1/0", "REDIS_TLS_CA_FILE": str(ca)}, "redis://x:1/0")
    assert config.ca_file == str(ca)
    assert RedisConfig.from_env({}, "redis://x:2/0").port == 2


@pytest.mark.parametrize(("environ", "message"), [
    ({"REDIS_URL": "localhost"}, "REDIS_URL must look like"),
    ({"REDIS_URL": "http://h:1/0"}, "REDIS_URL must look like"),
    ({"REDIS_URL": "redis://h:port/0"}, "REDIS_URL must look like"),
    ({"REDIS_URL": "redis://h:1/0?timeout=3"}, "REDIS_URL: unknown parameter 'timeout'"),
    ({"REDIS_URL": "redis://h:1/0", "REDIS_TLS_CA_FILE": "/no/such/ca.crt"}, "REDIS_TLS_CA_FILE: no such file"),
    ({"REDIS_URL": "redis://h:1/0?ssl_ca_certs=/ca"}, "not TLS"),
    ({"REDIS_URL": "rediss://h:1/0?ssl_certfile=/c"}, "both its certificate and its key"),
])
def test_bad_settings_name_the_variable_and_never_show_the_password(environ: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message) as error:
        RedisConfig.from_env({**environ, "REDIS_URL": environ["REDIS_URL"].replace("://", "://:hunter2@", 1)}, "")
    assert "hunter2" not in str(error.value)


def test_bad_endpoint_keys_name_where_they_are() -> None:
    with pytest.raises(SettingsError, match="lock_store: port and db must be numbers"):
        RedisConfig.from_options({"host": "h", "port": "x"}, where="lock_store")


SENTINEL_ENV = {"REDIS_URL": "redis://:pw@ignored:1/2", "REDIS_SENTINELS": "10.0.0.1:26379, [::1]:26380",
                "REDIS_SENTINEL_MASTER": "careassist"}


def test_sentinels_come_from_the_environment_and_go_to_rasa_unchanged() -> None:
    config = RedisConfig.from_env(SENTINEL_ENV, "")
    assert config.sentinels == (("10.0.0.1", 26379), ("::1", 26380))
    assert (config.sentinel_master, config.db, config.password, config.replicated) == ("careassist", 2, "pw", True)
    assert config.replicas_to_wait == 1  # a replicated Redis: a turn waits for one replica by default
    assert RedisConfig.from_env({"REDIS_URL": "redis://h:1/0"}, "").replicas_to_wait == 0
    as_yaml = {f"redis_{k}": "" if v is None else str(v) for k, v in config.endpoint_options().items()}
    assert RedisConfig.from_options(as_yaml, prefix="redis_") == replace(config, host="ignored", port=1)
    env = config.endpoint_env()
    assert RedisConfig.from_env({**env, "REDIS_URL": "redis://:pw@x:1/2"}, "").sentinels == config.sentinels
    assert "careassist" in config.shown() and "pw" not in config.shown()


def test_wait_replicas_can_be_set_and_is_checked() -> None:
    assert RedisConfig.from_env({**SENTINEL_ENV, "REDIS_WAIT_REPLICAS": "0"}, "").replicas_to_wait == 0
    with pytest.raises(SettingsError, match="REDIS_WAIT_REPLICAS must be a number of replicas"):
        RedisConfig.from_env({**SENTINEL_ENV, "REDIS_WAIT_REPLICAS": "all"}, "")
    with pytest.raises(SettingsError, match="tracker_store: wait_replicas must be"):
        RedisConfig.from_options({"host": "h", "wait_replicas": "-1"}, where="tracker_store")


@pytest.mark.parametrize(("changes", "message"), [
    ({"REDIS_SENTINEL_MASTER": ""}, "REDIS_SENTINELS is set but REDIS_SENTINEL_MASTER is empty"),
    ({"REDIS_SENTINELS": ""}, "REDIS_SENTINEL_MASTER is set but REDIS_SENTINELS is empty"),
    ({"REDIS_SENTINELS": "h1"}, "REDIS_SENTINELS must look like host:port,host:port, got 'h1'"),
    ({"REDIS_SENTINELS": "h1:26379,,h2:1"}, "REDIS_SENTINELS must look like host:port,host:port, got ''"),
    ({"REDIS_SENTINELS": "h1:99999"}, "REDIS_SENTINELS must look like"),
    ({"REDIS_SENTINELS": "u:p@h1:1"}, "REDIS_SENTINELS must look like"),
])
def test_a_sentinel_list_without_a_master_or_with_a_bad_entry_is_refused_by_name(
        changes: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        RedisConfig.from_env({**SENTINEL_ENV, **changes}, "")
