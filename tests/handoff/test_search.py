"""Ticket search: the filters as plain functions, and GET /api/tickets/search through the real app and Redis."""

from __future__ import annotations

from typing import Any

import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient

from bot.core import keys
from handoff.models import Ticket, TicketState
from handoff.search import MAX_LIMIT, Filters, TicketSearch, matches, parse_filters
from tests.handoff.conftest import SERVICE_TOKEN, Factory, sign_in

SERVICE = {"Authorization": f"Bearer {SERVICE_TOKEN}"}


def ticket(**changes: Any) -> Ticket:
    values: dict[str, Any] = {"id": "T000001", "conversation_id": "messenger:123", "channel": "messenger",
                              "lang": "pl", "customer_name": "Marek Nowak", "reasons": [], "evidence": [],
                              "state": TicketState.QUEUED, "created_at": 1000.0, "tags": ["Zwrot"]}
    return Ticket(**{**values, **changes})


def test_filters_come_from_the_query_with_defaults() -> None:
    f = parse_filters({"q": " NOWAK ", "channel": "webchat", "state": "resolved", "sort": "oldest", "limit": "5",
                       "from": "2026-12-01", "to": "2026-12-01"})
    assert (f.text, f.channel, f.state, f.sort, f.limit) == ("nowak", "webchat", "resolved", "oldest", 5)
    assert f.created_to is not None and f.created_from is not None
    assert f.created_to - f.created_from == pytest.approx(24 * 3600, abs=0.01)  # "to" a date: its whole day
    assert parse_filters({}) == Filters()


@pytest.mark.parametrize(("query", "field"), [
    ({"channel": "fax"}, "channel"), ({"state": "pending"}, "state"), ({"sort": "random"}, "sort"),
    ({"limit": "0"}, "limit"), ({"limit": str(MAX_LIMIT + 1)}, "limit"), ({"limit": "ten"}, "limit"),
    ({"from": "yesterday"}, "from"), ({"from": "2026-12-02", "to": "2026-12-01"}, "from"),
    ({"q": "x" * 201}, "q"), ({"cursor": "abc"}, "cursor"), ({"colour": "red"}, "colour"),
])
def test_a_bad_filter_names_its_field(query: dict[str, str], field: str) -> None:
    with pytest.raises(ValueError, match=f"^{field}:"):
        parse_filters(query)


def test_matching_each_filter() -> None:
    t = ticket(owner="anna", team="zwroty")
    assert matches(t, Filters(text="nowak")) and matches(t, Filters(text="messenger:1"))
    assert matches(t, Filters(text="zwrot")) and matches(t, Filters(text="t000001"))
    assert not matches(t, Filters(text="kowalski"))
    assert matches(t, Filters(text="paragon"), notes=["Klient ma Paragon"])
    assert matches(t, Filters(channel="messenger")) and not matches(t, Filters(channel="webchat"))
    assert matches(t, Filters(owner="anna")) and not matches(t, Filters(owner="piotr"))
    assert matches(t, Filters(tag="zwrot")) and not matches(t, Filters(tag="reklamacja"))
    assert matches(t, Filters(state="queued")) and not matches(t, Filters(state="resolved"))
    assert matches(t, Filters(team="zwroty")) and not matches(t, Filters(team="płatności"))


async def add_ticket(redis: Any, number: int, created_at: float, **changes: Any) -> None:
    t = ticket(id=f"T{number:06d}", conversation_id=f"messenger:{number}", created_at=created_at, **changes)
    await redis.hset(keys.ticket(t.id), mapping=t.to_redis())
    await redis.zadd(keys.ALL, {t.id: created_at})


async def test_pages_follow_each_other_without_gaps_or_repeats(redis_url: str) -> None:
    redis = aioredis.from_url(redis_url, decode_responses=True)
    try:
        for n in range(1, 8):
            await add_ticket(redis, n, 1000.0 + (n // 2))  # pairs share a creation time
        for sort in ("newest", "oldest"):
            seen: list[str] = []
            cursor = ""
            while True:
                page = await TicketSearch(redis).search(parse_filters({"sort": sort, "limit": "3", "cursor": cursor}))
                seen += [t.id for t in page.tickets]
                if page.next_cursor is None:
                    break
                cursor = page.next_cursor
            assert sorted(seen) == [f"T{n:06d}" for n in range(1, 8)] and len(seen) == 7
            created = [1000.0 + int(i[1:]) // 2 for i in seen]
            assert created == sorted(created, reverse=sort == "newest")
        capped = await TicketSearch(redis, scan_max=4).search(parse_filters({"q": "nobody"}))
        assert capped.tickets == [] and capped.scanned == 4 and capped.next_cursor is not None
    finally:
        await redis.aclose()


async def open_ticket(client: TestClient, conversation: str, name: str) -> str:
    response = await client.post("/internal/tickets", headers=SERVICE, json={
        "conversation_id": conversation, "customer_name": name, "reasons": ["human_request"]})
    assert response.status == 201
    return str((await response.json())["ticket"])


async def test_search_api_with_each_filter(aiohttp_client: Factory, app_client: TestClient) -> None:
    web = await open_ticket(app_client, "web:00000000-0000-4000-8000-000000000001", "Marek Nowak")
    fb = await open_ticket(app_client, "messenger:4242", "Ewa Kowalska")
    done = await open_ticket(app_client, "messenger:4343", "Jan Nowak")
    anna = await sign_in(aiohttp_client, app_client, "anna")
    assert (await anna.call("POST", f"/api/tickets/{fb}/claim"))[0] == 200
    assert (await anna.call("PUT", f"/api/tickets/{fb}/tags", {"tags": ["reklamacja"]}))[0] == 200
    assert (await anna.call("POST", f"/api/tickets/{fb}/notes", {"text": "Numer paragonu 77-1"}))[0] == 201
    for step in ("claim", "resolve"):
        assert (await anna.call("POST", f"/api/tickets/{done}/{step}"))[0] == 200

    async def ids(query: str) -> list[str]:
        status, body = await anna.call("GET", f"/api/tickets/search?{query}")
        assert status == 200, body
        return [t["id"] for t in body["tickets"]]

    assert await ids("q=nowak") == [done, web]
    assert await ids("q=nowak&sort=oldest") == [web, done]
    assert await ids("q=paragonu") == [fb]  # the text of a note
    assert await ids("channel=messenger") == [done, fb]
    assert await ids("owner=anna&state=assigned") == [fb]
    assert await ids("tag=reklamacja") == [fb]
    assert await ids("state=resolved") == [done]
    assert await ids("state=queued&channel=webchat") == [web]
    assert await ids("from=2000-01-01&to=2000-01-02") == []
    assert await ids("from=2000-01-01") == [done, fb, web]
    first = (await anna.call("GET", "/api/tickets/search?limit=2"))[1]
    rest = (await anna.call("GET", f"/api/tickets/search?limit=2&cursor={first['next_cursor']}"))[1]
    assert [t["id"] for t in first["tickets"] + rest["tickets"]] == [done, fb, web]
    assert "client_key" not in first["tickets"][0]


@pytest.mark.parametrize("query", ["limit=101", "state=open", "channel=sms", "from=soon", "cursor=zzz", "page=2"])
async def test_search_api_bad_filters_are_400_naming_the_field(app_client: TestClient, query: str) -> None:
    anna = await sign_in(None, app_client, "anna")  # type: ignore[arg-type]
    status, body = await anna.call("GET", f"/api/tickets/search?{query}")
    assert status == 400 and body["error"].startswith(query.split("=")[0] + ":")


async def test_search_needs_a_session(app_client: TestClient) -> None:
    assert (await app_client.get("/api/tickets/search")).status == 401
