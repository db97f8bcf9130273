"""The ticket store against a real redis-server."""

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from bot.core import keys
from handoff.errors import Conflict, Forbidden, NotFound
from handoff.models import Outcome, TicketState
from handoff.tickets import TicketStore


@pytest.fixture
async def store(redis_url: str) -> AsyncIterator[TicketStore]:
    client = aioredis.from_url(redis_url, decode_responses=True)
    yield TicketStore(client)
    await client.aclose()


async def new(store: TicketStore, conversation: str, reasons: list[str], now: float, exchanges: int = 1) -> str:
    """A ticket of a real customer (an exchange with the bot first), unless ``exchanges`` says otherwise."""
    ticket, created = await store.create(conversation, "webchat", "pl", "Marek", reasons,
                                         [{"faq_id": "returns", "score": 0.8}], now=now, exchanges=exchanges)
    assert created
    return ticket.id


async def outbox(store: TicketStore) -> list[dict[str, str]]:
    return [fields for _, fields in await store.redis.xrange(keys.OUTBOX)]


async def test_one_open_ticket_per_conversation(store: TicketStore) -> None:
    first = await new(store, "web:a", ["human_request"], 1000.0)
    again, created = await store.create("web:a", "webchat", "pl", "", ["negative_sentiment"], [], now=1001.0)
    assert (again.id, created) == (first, False)
    assert (await store.open_ticket_of("web:a")).id == first  # type: ignore[union-attr]
    assert await store.open_ticket_of("web:b") is None


async def test_anger_and_legal_threats_are_served_first(store: TicketStore) -> None:
    calm = await new(store, "web:calm", ["human_request"], 1000.0)
    angry = await new(store, "web:angry", ["negative_sentiment"], 1600.0)  # 10 minutes later
    legal = await new(store, "web:legal", ["legal_threat"], 2200.0)  # 20 minutes later
    later = await new(store, "web:later", ["human_request"], 4000.0)
    assert await store.queue() == [legal, angry, calm, later]
    assert [await store.position(t) for t in (legal, calm, later)] == [1, 3, 4]


async def test_two_moderators_claiming_at_once_one_wins(store: TicketStore) -> None:
    ticket = await new(store, "web:race", ["human_request"], 1000.0)
    results = await asyncio.gather(store.claim(ticket, "anna", "Anna"), store.claim(ticket, "piotr", "Piotr"),
                                   return_exceptions=True)
    winners = [r for r in results if not isinstance(r, Exception)]
    losers = [r for r in results if isinstance(r, Conflict)]
    assert len(winners) == 1 and len(losers) == 1
    assert "already claimed" in str(losers[0])
    claimed = await store.get(ticket)
    assert claimed.state == TicketState.ASSIGNED and claimed.owner in ("anna", "piotr")
    assert await store.position(ticket) is None and await store.queue() == []


async def test_only_the_owner_replies_and_the_reply_goes_to_the_outbox(store: TicketStore) -> None:
    ticket = await new(store, "web:r", ["human_request"], 1000.0)
    with pytest.raises(Conflict, match="not claimed"):
        await store.reply(ticket, "anna", "Anna", "Dzień dobry")
    await store.claim(ticket, "anna", "Anna", now=1100.0)
    with pytest.raises(Forbidden, match="belongs to Anna"):
        await store.reply(ticket, "piotr", "Piotr", "Dzień dobry")
    replied = await store.reply(ticket, "anna", "Anna", "Dzień dobry, już sprawdzam.", now=1300.0)
    assert replied.first_response_at == 1300.0
    await store.reply(ticket, "anna", "Anna", "Gotowe.", now=1400.0)
    assert (await store.get(ticket)).first_response_at == 1300.0  # the first reply counts
    kinds = [(m["kind"], json.loads(m["payload"]).get("text")) for m in await outbox(store)]
    assert kinds == [("status", None), ("reply", "Dzień dobry, już sprawdzam."), ("reply", "Gotowe.")]


async def test_resolved_ticket_takes_no_more_replies_and_frees_the_conversation(store: TicketStore) -> None:
    ticket = await new(store, "web:done", ["human_request"], 1000.0)
    await store.claim(ticket, "anna", "Anna")
    closed = await store.close(ticket, "anna", Outcome.RESOLVED)
    assert closed.state == TicketState.RESOLVED and closed.outcome == "resolved"
    assert await store.open_ticket_of("web:done") is None
    with pytest.raises(Conflict, match="resolved"):
        await store.reply(ticket, "anna", "Anna", "halo?")
    with pytest.raises(Conflict, match="resolved"):
        await store.claim(ticket, "piotr", "Piotr")
    assert [m["kind"] for m in await outbox(store)][-2:] == ["handback", "survey"]  # the bot's again, then 1-5
    assert [h["action"] for h in await store.history(ticket)] == ["created", "claimed", "resolved"]


async def test_transfer_notes_and_tags(store: TicketStore) -> None:
    ticket = await new(store, "web:t", ["compensation"], 1000.0)
    await store.claim(ticket, "anna", "Anna")
    with pytest.raises(Forbidden):
        await store.transfer(ticket, "piotr", "piotr", "Piotr")
    moved = await store.transfer(ticket, "anna", "piotr", "Piotr")
    assert (moved.owner, moved.owner_name) == ("piotr", "Piotr")
    await store.add_note(ticket, "piotr", "Klient dzwonił też na infolinię", now=5.0)
    assert await store.notes(ticket) == [{"author": "piotr", "text": "Klient dzwonił też na infolinię", "at": 5.0}]
    assert (await store.set_tags(ticket, "piotr", ["zwrot", "vip"])).tags == ["zwrot", "vip"]


async def test_unknown_ticket(store: TicketStore) -> None:
    with pytest.raises(NotFound, match="T999999"):
        await store.claim("T999999", "anna", "Anna")
