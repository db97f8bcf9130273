"""The handoff service's own figures at ``/metrics`` (handoff/process_metrics.py): latency labelled by
route pattern, never the raw path; Redis errors counted; tickets by state read from Redis."""

from __future__ import annotations

from aiohttp.test_utils import TestClient
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from handoff.app import create_app
from tests.handoff.conftest import SERVICE_TOKEN, Factory, settings
from tests.handoff.test_api import open_ticket
from tests.handoff.test_metrics_durations import parse

SERVICE = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
LATENCY = "volta_handoff_http_request_duration_seconds"


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_requests_are_labelled_by_route_pattern(app_client: TestClient) -> None:
    ticket = await open_ticket(app_client)
    before = sample(f"{LATENCY}_count", method="GET", route="/api/tickets/{ticket_id}")
    unmatched = sample("volta_handoff_http_requests_total", method="GET", route="unmatched", status="4xx")
    await app_client.get(f"/api/tickets/{ticket}", headers=SERVICE)
    await app_client.get("/api/no/such/4711", headers=SERVICE)
    text = await (await app_client.get("/metrics", headers=SERVICE)).text()
    assert sample(f"{LATENCY}_count", method="GET", route="/api/tickets/{ticket_id}") == before + 1
    assert sample("volta_handoff_http_requests_total", method="GET", route="unmatched", status="4xx") == unmatched + 1
    labels = [value for family in text_string_to_metric_families(text) for s in family.samples
              for value in s.labels.values()]
    assert not [v for v in labels if ticket in v or "4711" in v]  # no raw path in a label (numbers may hold "4711")
    samples = parse(text)
    assert samples['volta_handoff_tickets{state="queued"}'] == 1
    assert samples['volta_handoff_tickets{state="assigned"}'] == 0
    assert "process_resident_memory_bytes" in samples and "python_info" in text


async def test_a_redis_error_in_a_request_is_counted(aiohttp_client: Factory, redis_url: str) -> None:
    dead = await aiohttp_client(create_app(settings("redis://127.0.0.1:1/0"), workers=False))
    before = sample("volta_handoff_redis_errors_total", where="request")
    response = await dead.get("/api/me", cookies={"ho_session": "x"})
    assert response.status in (500, 503)  # 503 where the errors middleware tells "Redis away"
    assert sample("volta_handoff_redis_errors_total", where="request") == before + 1
    assert sample("volta_handoff_http_requests_total", method="GET", route="/api/me", status="5xx") >= 1
