"""One description of how to reach Redis, from a URL or from Rasa's endpoint keys."""

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
