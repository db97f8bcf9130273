"""A bounded flood beside real customers and moderators: `make test-abuse` (bench/abuse.py).

The single-machine stack behind HAProxy's public frontend (ops/edge.py), the Rasa side's and the
handoff service's limits at their product defaults; every client from its own loopback address.
The report goes to var/test-abuse/report.{json,md} and bench/results/abuse.md; the test fails
naming the targets missed.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import aiohttp
import pytest
import redis.asyncio as aioredis

from bench import abuse
from bot.rasa_side.settings import IP_PER_MINUTE, NEW_CONVERSATIONS_PER_IP_PER_HOUR
from handoff.accounts import Accounts, Role
from handoff.errors import Conflict
from ops import haproxy
from ops.edge import Limits
from ops.haproxy import Frontends
from ops.processes import Process, free_ports
from tests.stack import MESSENGER_SECRET, Stack, running_stack

pytestmark = [pytest.mark.integration, pytest.mark.abuse, pytest.mark.timeout(540)]
PASSWORD = "moderator password 1"
MODERATORS = (("ewa", "Ewa"), ("piotr", "Piotr"))
PRODUCT_LIMITS = {"LIMIT_IP_PER_MINUTE": str(IP_PER_MINUTE),  # tests/stack.py lifts these for loopback
                  "LIMIT_NEW_CONVERSATIONS_PER_IP_PER_HOUR": str(NEW_CONVERSATIONS_PER_IP_PER_HOUR)}
PROXY_READY_SECONDS = 30


def _port(url: str) -> int:
    return int(urlsplit(url).port or 0)


@contextmanager
def proxy_in_front(stack: Stack) -> Iterator[str]:
    """HAProxy with the default limits before the stack's one Rasa, handoff service and action server."""
    rasa, handoff, actions, stats, public = free_ports(5)
    ports = Frontends(rasa=rasa, handoff=handoff, actions=actions, stats=stats, public=public)
    cfg = haproxy.config(ports, rasa=[("rasa", _port(stack.rasa_url))],
                         handoff=[("handoff", _port(stack.handoff_url))],
                         actions=[("actions", _port(stack.action_url))], limits=Limits())
    balancer: Process = haproxy.start(cfg, stack.log_dir)
    try:
        balancer.wait_http(f"http://127.0.0.1:{public}/demo", timeout=PROXY_READY_SECONDS)
        yield f"http://127.0.0.1:{public}"
    finally:
        balancer.stop()


async def _accounts(redis_url: str) -> None:
    client = aioredis.from_url(redis_url, decode_responses=True)
    for login, name in MODERATORS:
        with contextlib.suppress(Conflict):
            await Accounts(client).create(login, name, Role.MODERATOR, PASSWORD)
    await client.aclose()


async def test_a_flood_leaves_the_real_customers_served(tmp_path_factory: pytest.TempPathFactory) -> None:
    with running_stack(tmp_path_factory, env=PRODUCT_LIMITS) as stack, proxy_in_front(stack) as public_url:
        await _accounts(stack.redis_url)
        async with aiohttp.ClientSession() as http, http.get(f"{public_url}/internal/conversations/x") as r:
            assert r.status == 404  # the run goes through the public frontend only
        started = time.monotonic()
        report = await abuse.run(abuse.Targets(
            public_url=public_url, handoff_url=stack.handoff_url, redis_url=stack.redis_url,
            messenger_secret=MESSENGER_SECRET, moderators=tuple((login, PASSWORD) for login, _ in MODERATORS)))
    assert time.monotonic() - started < abuse.FLOOD_SECONDS * 4, "the run was not bounded"
    assert report["flood"]["messages_sent"] > 0 and report["flood_traffic"], report
    missed = [name for name, met in report["targets"].items() if not met]
    assert not missed, f"targets missed: {missed}; see var/test-abuse/report.md"
