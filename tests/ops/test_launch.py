import socket
import stat
from dataclasses import replace
from pathlib import Path

import pytest

from bot.core.redis_config import RedisConfig
from ops.launch import embedded_redis_password, redis_parts, stack_env, stored_secret, write_redis_conf
from ops.preflight import PreflightError, check_port_free, check_redis_reachable
from ops.processes import RedisServer, free_port
from tests.tls_redis import TlsRedis


def test_embedded_redis_is_started_when_no_url_is_given_behind_its_password() -> None:
    env, processes = stack_env({}, redis_password="p" * 24)
    assert processes == ["redis", "actions", "rasa", "handoff"]
    assert env["REDIS_URL"] == f"redis://:{'p' * 24}@127.0.0.1:6390/0"
    assert (env["REDIS_HOST"], env["REDIS_PORT"], env["REDIS_DB"]) == ("127.0.0.1", "6390", "0")
    assert (env["REDIS_PASSWORD"], env["REDIS_USE_SSL"], env["REDIS_USERNAME"]) == ("p" * 24, "false", "")
    assert env["ACTION_SERVER_URL"] == "http://127.0.0.1:5055/webhook"


def test_external_redis_url_replaces_the_embedded_one() -> None:
    env, processes = stack_env({"REDIS_URL": "redis://:s%40cret@cache.internal:6400/3"})
    assert "redis" not in processes
    assert (env["REDIS_HOST"], env["REDIS_PORT"], env["REDIS_DB"], env["REDIS_PASSWORD"]) == (
        "cache.internal", "6400", "3", "s@cret")


def test_rediss_url_with_a_user_gives_endpoints_yml_every_tls_key(tmp_path: Path) -> None:
    ca = tmp_path / "ca.crt"
    ca.write_text("-")
    env, _ = stack_env({"REDIS_URL": "rediss://bot:pw@cache.internal:6380/1", "REDIS_TLS_CA_FILE": str(ca)})
    assert (env["REDIS_HOST"], env["REDIS_PORT"], env["REDIS_DB"]) == ("cache.internal", "6380", "1")
    assert (env["REDIS_USERNAME"], env["REDIS_PASSWORD"], env["REDIS_USE_SSL"]) == ("bot", "pw", "true")
    assert (env["REDIS_TLS_CA_FILE"], env["REDIS_TLS_CERT_FILE"], env["REDIS_TLS_KEY_FILE"]) == (str(ca), "", "")


def test_the_embedded_password_is_generated_once_and_kept_private(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("ops.launch.REDIS_PASSWORD_FILE", tmp_path / "secrets" / "redis_password")
    first, again = embedded_redis_password({}), embedded_redis_password({})
    assert first == again and len(first) >= 16
    assert stat.S_IMODE((tmp_path / "secrets" / "redis_password").stat().st_mode) == 0o600
    conf = tmp_path / "redis.conf"
    write_redis_conf(conf, first)
    assert conf.read_text() == f'requirepass "{first}"\n' and stat.S_IMODE(conf.stat().st_mode) == 0o600
    assert stored_secret({"X": "given"}, "X", tmp_path / "unused") == "given"


@pytest.mark.parametrize("password", ["short", "has space in it 0123", 'has"quote"0123456789'])
def test_a_bad_embedded_password_names_the_variable(password: str) -> None:
    with pytest.raises(PreflightError, match="EMBEDDED_REDIS_PASSWORD must be"):
        embedded_redis_password({"EMBEDDED_REDIS_PASSWORD": password})


def test_the_embedded_config_file_starts_a_redis_that_wants_the_password(tmp_path: Path) -> None:
    server = RedisServer(tmp_path, password="generated-password-0123")
    try:
        check_redis_reachable(server.config)
        with pytest.raises(PreflightError, match="refused the user or password") as error:
            check_redis_reachable(replace(server.config, password=""))
        assert "generated-password-0123" not in " ".join(server._argv)  # not on the command line (ps)
        assert "generated-password-0123" not in str(error.value)
    finally:
        server.stop()


def test_redis_over_tls_with_an_acl_user_passes_the_check(tls_redis: TlsRedis) -> None:
    check_redis_reachable(tls_redis.config)
    check_redis_reachable(RedisConfig.from_url(tls_redis.url))


def test_wrong_password_or_plain_redis_to_the_tls_port_is_one_clear_line(tls_redis: TlsRedis) -> None:
    with pytest.raises(PreflightError, match="refused the user or password"):
        check_redis_reachable(replace(tls_redis.config, password="wrong-password-0000"))
    with pytest.raises(PreflightError, match=r"unreachable.*rediss://") as error:
        check_redis_reachable(replace(tls_redis.config, tls=False, ca_file=""), timeout=2)
    assert tls_redis.config.password not in str(error.value)


@pytest.mark.parametrize("url", ["localhost:6379", "redis://host/x", "http://host:1/0"])
def test_malformed_redis_url_is_one_clear_line(url: str) -> None:
    with pytest.raises(PreflightError, match="REDIS_URL must look like"):
        redis_parts(url)


def test_bad_port_names_the_variable() -> None:
    with pytest.raises(PreflightError, match="RASA_PORT must be a port number"):
        stack_env({"RASA_PORT": "abc"})


def test_busy_port_names_variable_and_fix() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(PreflightError, match=f"port {port} \\(RASA_PORT\\) is already in use.*set RASA_PORT"):
            check_port_free("127.0.0.1", port, "RASA_PORT")


def test_unreachable_redis_names_url_and_fix() -> None:
    with pytest.raises(PreflightError, match=r"unreachable.*unset it to use the embedded Redis"):
        check_redis_reachable(RedisConfig(port=free_port()), timeout=0.5)


def test_reachable_redis_passes(redis_url: str) -> None:
    check_redis_reachable(RedisConfig.from_url(redis_url))


def test_unreachable_redis_message_never_shows_the_password() -> None:
    with pytest.raises(PreflightError) as error:
        check_redis_reachable(RedisConfig.from_url(f"redis://:hunter2@127.0.0.1:{free_port()}/0"), timeout=0.5)
    assert "hunter2" not in str(error.value)
    assert "127.0.0.1:" in str(error.value)
