"""First-response and resolution histograms at ``/metrics`` (handoff/durations.py): counted in Redis in the
ticket's transaction, so two replicas show the same figures; the text stays valid Prometheus."""

from __future__ import annotations

import re

import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient

from bot.core import keys
from handoff.app import create_app
from handoff.appkeys import TICKETS
from handoff.durations import BUCKETS, bucket_of
from handoff.errors import Forbidden
from handoff.models import Outcome
from handoff.tickets import TicketStore
from tests.handoff.conftest import SERVICE_TOKEN, Factory, settings

SERVICE = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
T0 = 1_796_000_000.0
FIRST, RESOLUTION = "volta_handoff_first_response_seconds", "volta_handoff_resolution_seconds"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\["\\n])*"'
SAMPLE = re.compile(rf"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{{{LABEL}(?:,{LABEL})*\}})? (\S+)$")


def in_order(sample: str) -> str:
    """``name{labels}`` with its labels sorted (prometheus_client writes them sorted)."""
    name, _, labels = sample.partition("{")
    return f"{name}{{{','.join(sorted(re.findall(LABEL, labels)))}}}" if labels else name


class Samples(dict[str, float]):
    """Samples by their text, looked up whatever the order of the labels."""

    def __getitem__(self, sample: str) -> float:
        return super().__getitem__(in_order(sample))


def parse(text: str) -> Samples:
    """Strict Prometheus text: every line a HELP, a TYPE or a sample with a number; samples by their text."""
    samples = Samples()
    typed: set[str] = set()
    for line in text.splitlines():
        if line.startswith("# HELP "):
            continue
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            assert kind in {"counter", "gauge", "histogram", "untyped"} and name not in typed, line
            typed.add(name)
            continue
        match = SAMPLE.match(line)
        assert match, f"not a Prometheus sample: {line!r}"
        assert re.sub(r"_(bucket|sum|count)$", "", match[1]) in typed or match[1] in typed, line
        samples[in_order(f"{match[1]}{match[2] or ''}")] = float(match[3])
    return samples


def shared(text: str) -> list[str]:
    """The lines read from Redis: those of the service's own figures, not of its requests or process."""
    return [line for line in text.splitlines() if "volta_handoff_" in line and "_http_" not in line
            and "_redis_errors" not in line and "_loop_" not in line]


def test_a_duration_goes_to_the_smallest_bucket_that_holds_it() -> None:
    assert bucket_of(0) == bucket_of(60) == "60"
    assert bucket_of(61) == "300"
    assert bucket_of(BUCKETS[-1]) == str(24 * 3600)
    assert bucket_of(BUCKETS[-1] + 1) == "+Inf"


async def served(store: TicketStore, conversation_id: str, reply_after: float, close_after: float,
                 team: str = "") -> None:
    ticket, _ = await store.create(conversation_id, "webchat", "pl", "Jan", ["human_request"], [], now=T0)
    if team:
        await store.redis.hset(keys.ticket(ticket.id), "team", team)
    await store.claim(ticket.id, "anna", "Anna", now=T0 + 1)
    await store.reply(ticket.id, "anna", "Anna", "Dzień dobry", now=T0 + reply_after)
    await store.reply(ticket.id, "anna", "Anna", "Już sprawdzam", now=T0 + reply_after + 600)  # not a first
    await store.close(ticket.id, "anna", Outcome.RESOLVED, now=T0 + close_after)


async def test_two_replicas_show_the_same_valid_histograms(aiohttp_client: Factory, redis_url: str) -> None:
    one: TestClient = await aiohttp_client(create_app(settings(redis_url), workers=False))
    other: TestClient = await aiohttp_client(create_app(settings(redis_url), workers=False))
    store = one.app[TICKETS]
    await served(store, "web:a", reply_after=90, close_after=2 * 3600)
    await served(store, "web:b", reply_after=30, close_after=3 * 24 * 3600)
    await served(store, "web:c", reply_after=400, close_after=1200, team='Płatności "B"')
    texts = [await (await c.get("/metrics", headers=SERVICE)).text() for c in (one, other)]
    assert shared(texts[0]) == shared(texts[1])  # what Redis holds; not each process's own figures
    samples = parse(texts[0])
    web = 'channel="webchat",team=""'
    assert samples[f'{FIRST}_bucket{{{web},le="60"}}'] == 1
    assert samples[f'{FIRST}_bucket{{{web},le="300"}}'] == 2
    assert samples[f'{FIRST}_bucket{{{web},le="+Inf"}}'] == samples[f"{FIRST}_count{{{web}}}"] == 2
    assert samples[f"{FIRST}_sum{{{web}}}"] == 120
    assert samples[f'{RESOLUTION}_bucket{{{web},le="7200"}}'] == 1
    assert samples[f'{RESOLUTION}_bucket{{{web},le="86400"}}'] == 1
    assert samples[f'{RESOLUTION}_bucket{{{web},le="+Inf"}}'] == 2
    team = 'channel="webchat",team="Płatności \\"B\\""'
    assert samples[f'{FIRST}_bucket{{{team},le="300"}}'] == 0
    assert samples[f'{FIRST}_bucket{{{team},le="600"}}'] == 1
    assert samples[f'{RESOLUTION}_bucket{{{team},le="1800"}}'] == 1
    assert samples["volta_handoff_first_responses_total"] == 3  # the older figures still there
    assert samples["volta_handoff_resolved_total"] == 3


async def test_a_refused_reply_counts_nothing(aiohttp_client: Factory, redis_url: str) -> None:
    client = await aiohttp_client(create_app(settings(redis_url), workers=False))
    store = client.app[TICKETS]
    ticket, _ = await store.create("web:d", "webchat", "pl", "Jan", ["human_request"], [], now=T0)
    await store.claim(ticket.id, "anna", "Anna", now=T0 + 1)
    with pytest.raises(Forbidden, match="belongs to Anna"):
        await store.reply(ticket.id, "piotr", "Piotr", "Nie moje", now=T0 + 30)
    redis = aioredis.from_url(redis_url, decode_responses=True)
    try:
        assert await redis.hgetall(keys.durations("first_response")) == {}
    finally:
        await redis.aclose()
    assert f"{FIRST}_bucket" not in await (await client.get("/metrics", headers=SERVICE)).text()
