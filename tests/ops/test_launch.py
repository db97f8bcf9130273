import socket

import pytest

from ops.launch import redis_parts, stack_env
from ops.preflight import PreflightError, check_port_free, check_redis_reachable
from ops.processes import free_port


def test_embedded_redis_is_started_when_no_url_is_given() -> None:
    env, processes = stack_env({})
    assert processes == ["redis", "actions", "rasa", "handoff"]
    assert env["REDIS_URL"] == "redis://127.0.0.1:6390/0"
    assert (env["REDIS_HOST"], env["REDIS_PORT"], env["REDIS_DB"]) == ("127.0.0.1", "6390", "0")
    assert env["ACTION_SERVER_URL"] == "http://127.0.0.1:5055/webhook"


def test_external_redis_url_replaces_the_embedded_one() -> None:
    env, processes = stack_env({"REDIS_URL": "redis://:s%40cret@cache.internal:6400/3"})
    assert "redis" not in processes
    assert (env["REDIS_HOST"], env["REDIS_PORT"], env["REDIS_DB"], env["REDIS_PASSWORD"]) == (
        "cache.internal", "6400", "3", "s@cret")


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
        check_redis_reachable(f"redis://127.0.0.1:{free_port()}/0", timeout=0.5)


def test_reachable_redis_passes(redis_url: str) -> None:
    check_redis_reachable(redis_url)


def test_unreachable_redis_message_never_shows_the_password() -> None:
    with pytest.raises(PreflightError) as error:
        check_redis_reachable(f"redis://:hunter2@127.0.0.1:{free_port()}/0", timeout=0.5)
    assert "hunter2" not in str(error.value)
    assert "127.0.0.1:" in str(error.value)
