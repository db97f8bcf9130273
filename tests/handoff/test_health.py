from aiohttp.test_utils import TestClient

from handoff.app import create_app
from handoff.settings import Settings
from ops.processes import free_port


async def test_health_is_ok_with_redis(aiohttp_client: TestClient, redis_url: str) -> None:
    client = await aiohttp_client(create_app(Settings("127.0.0.1", 0, redis_url)))
    response = await client.get("/health")
    assert response.status == 200
    assert await response.json() == {"status": "ok", "redis": "ok"}


async def test_health_reports_unreachable_redis(aiohttp_client: TestClient) -> None:
    dead = f"redis://127.0.0.1:{free_port()}/0"
    client = await aiohttp_client(create_app(Settings("127.0.0.1", 0, dead)))
    response = await client.get("/health")
    assert response.status == 503
    assert (await response.json())["redis"] == "unreachable"
