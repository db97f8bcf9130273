"""The handoff service over TLS as an ACL user (REDIS_URL rediss://…, REDIS_TLS_CA_FILE), and
what a wrong password or plain redis:// to the TLS port look like."""

from dataclasses import replace

from aiohttp.test_utils import TestClient

from handoff.app import create_app
from handoff.appkeys import REDIS
from handoff.settings import Settings
from tests.handoff.conftest import Factory, settings
from tests.tls_redis import ACL_USER, TlsRedis


def _environ(tls_redis: TlsRedis, url: str) -> dict[str, str]:
    return {"REDIS_URL": url, "REDIS_TLS_CA_FILE": tls_redis.config.ca_file, "RASA_TOKEN": "r" * 20,
            "HANDOFF_SERVICE_TOKEN": "s" * 20}


async def test_the_service_works_over_tls_as_the_acl_user(aiohttp_client: Factory, tls_redis: TlsRedis) -> None:
    url = replace(tls_redis.config, ca_file="").full_url()  # the CA comes from REDIS_TLS_CA_FILE
    from_env = Settings.from_env(_environ(tls_redis, url))
    assert from_env.redis_config() == tls_redis.config
    assert tls_redis.config.password not in repr(from_env)
    client: TestClient = await aiohttp_client(create_app(settings(url, redis=from_env.redis), workers=False))
    response = await client.get("/health")
    assert (response.status, await response.json()) == (200, {"status": "ok", "redis": "ok"})
    app = client.server.app
    assert await app[REDIS].execute_command("ACL", "WHOAMI") == ACL_USER


async def test_a_wrong_password_or_plain_redis_to_the_tls_port_is_reported(
        aiohttp_client: Factory, tls_redis: TlsRedis) -> None:
    for wrong in (replace(tls_redis.config, password="wrong-password-0000"),
                  replace(tls_redis.config, tls=False, ca_file="")):
        client: TestClient = await aiohttp_client(create_app(settings(wrong.full_url()), workers=False))
        response = await client.get("/health")
        assert (response.status, await response.json()) == (503, {"status": "degraded", "redis": "unreachable"})
