"""Finding tickets for the console: filters from the URL's query, checked, and a bounded scan of the
ticket index (``ho:tickets``, by creation time) filtered in Python.

Redis only: one request reads at most ``SCAN_MAX`` index entries (in batches, a pipeline each),
so a search costs the same however many tickets there are; a page that stopped at the cap says so
and carries a cursor to go on. Free text is matched, case-insensitively, against the ticket id,
the conversation id, the customer's name, the tags and the text of the notes (not the transcript:
that is the conversation's whole event list). Resolved tickets are found while their hash lives
(``RETENTION_TICKET_DAYS``, ``handoff.retention``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Any

from bot.core import keys
from bot.core.text import as_str
from handoff.models import MAX_TAG_CHARS, Ticket, TicketState

MAX_LIMIT = 100  # tickets a page
DEFAULT_LIMIT = 25
SCAN_MAX = 2000  # index entries one request reads at most
BATCH = 200  # index entries read (and their hashes fetched) at a time
MAX_QUERY_CHARS = 200
MAX_LOGIN_CHARS = 64
MAX_TEAM_CHARS = 64
CHANNELS = ("webchat", "messenger", "comment", "rest")  # bot.core.conversation_ids.channel_of
SORTS = ("newest", "oldest")
FIELDS = ("q", "channel", "owner", "tag", "state", "team", "from", "to", "sort", "limit", "cursor")


@dataclass(frozen=True)
class Filters:
    text: str = ""  # casefolded
    channel: str = ""
    owner: str = ""
    tag: str = ""
    state: str = ""
    team: str = ""  # handoff.teams
    created_from: float | None = None
    created_to: float | None = None
    sort: str = "newest"
    limit: int = DEFAULT_LIMIT
    cursor: tuple[float, str] | None = None  # the last index entry a previous page read


@dataclass(frozen=True)
class Page:
    tickets: list[Ticket]
    next_cursor: str | None  # None: nothing more to read
    scanned: int


def parse_filters(query: Mapping[str, str]) -> Filters:
    """Filters from a URL's query; ValueError naming the field when one is wrong."""
    unknown = sorted(set(query) - set(FIELDS))
    if unknown:
        raise ValueError(f"{unknown[0]}: unknown filter (known: {', '.join(FIELDS)})")
    text = query.get("q", "").strip()
    if len(text) > MAX_QUERY_CHARS:
        raise ValueError(f"q: at most {MAX_QUERY_CHARS} characters")
    created_from, created_to = _time(query, "from"), _time(query, "to")
    if created_from is not None and created_to is not None and created_from > created_to:
        raise ValueError("from: later than to")
    return Filters(
        text=text.casefold(), channel=_choice(query, "channel", CHANNELS),
        owner=_short(query, "owner", MAX_LOGIN_CHARS),
        tag=_short(query, "tag", MAX_TAG_CHARS), state=_choice(query, "state", tuple(s.value for s in TicketState)),
        team=_short(query, "team", MAX_TEAM_CHARS), created_from=created_from, created_to=created_to,
        sort=_choice(query, "sort", SORTS) or "newest",
        limit=_limit(query.get("limit", "")), cursor=parse_cursor(query.get("cursor", "")),
    )


def matches(ticket: Ticket, filters: Filters, notes: Sequence[str] = ()) -> bool:
    """Whether a ticket passes every filter (time and order are the scan's)."""
    if filters.channel and ticket.channel != filters.channel:
        return False
    if filters.owner and ticket.owner != filters.owner:
        return False
    if filters.tag and filters.tag.casefold() not in (t.casefold() for t in ticket.tags):
        return False
    if filters.state and ticket.state.value != filters.state:
        return False
    if filters.team and ticket.team != filters.team:
        return False
    return not filters.text or any(filters.text in field.casefold() for field in searched_text(ticket, notes))


def searched_text(ticket: Ticket, notes: Sequence[str]) -> list[str]:
    """What free text is looked for in."""
    return [ticket.id, ticket.conversation_id, ticket.customer_name, *ticket.tags, *notes]


def cursor_of(score: float, ticket_id: str) -> str:
    return f"{score!r}_{ticket_id}"


def parse_cursor(raw: str) -> tuple[float, str] | None:
    if not raw:
        return None
    score, _, ticket_id = raw.partition("_")
    try:
        return float(score), _short({"cursor": ticket_id}, "cursor", 40)
    except ValueError:
        raise ValueError("cursor: not a cursor this API gave") from None


def _after_cursor(score: float, ticket_id: str, filters: Filters) -> bool:
    """Whether an index entry at the cursor's own score was not read by the previous page."""
    if filters.cursor is None or score != filters.cursor[0]:
        return True
    # Redis orders members of one score by name, backwards in a reverse range
    return ticket_id < filters.cursor[1] if filters.sort == "newest" else ticket_id > filters.cursor[1]


class TicketSearch:
    def __init__(self, client: Any, scan_max: int = SCAN_MAX) -> None:
        self.redis = client
        self.scan_max = scan_max

    async def search(self, filters: Filters) -> Page:
        found: list[Ticket] = []
        scanned, last = 0, filters.cursor
        while scanned < self.scan_max and len(found) < filters.limit:
            entries = await self._entries(filters, last, min(BATCH, self.scan_max - scanned))
            if not entries:
                return Page(found, None, scanned)
            for ticket_id, score in entries:
                scanned, last = scanned + 1, (score, ticket_id)
                if len(found) < filters.limit and (ticket := await self._match(ticket_id, filters)):
                    found.append(ticket)
                if len(found) >= filters.limit:
                    break
        return Page(found, cursor_of(*last) if last else None, scanned)

    async def _entries(self, filters: Filters, last: tuple[float, str] | None, count: int) -> list[tuple[str, float]]:
        """The next index entries after ``last`` in the page's order and time range."""
        low = "-inf" if filters.created_from is None else repr(filters.created_from)
        high = "+inf" if filters.created_to is None else repr(filters.created_to)
        skip = Filters(sort=filters.sort, cursor=last)
        if filters.sort == "newest":
            high = repr(last[0]) if last else high
            rows = await self.redis.zrevrangebyscore(keys.ALL, high, low, start=0, num=count + BATCH,
                                                     withscores=True)
        else:
            low = repr(last[0]) if last else low
            rows = await self.redis.zrangebyscore(keys.ALL, low, high, start=0, num=count + BATCH, withscores=True)
        # the cursor's own score may hold entries already read: skipped, hence the extra BATCH
        entries = [(as_str(m), float(s)) for m, s in rows if _after_cursor(float(s), as_str(m), skip)]
        return entries[:count]

    async def _match(self, ticket_id: str, filters: Filters) -> Ticket | None:
        raw = await self.redis.hgetall(keys.ticket(ticket_id))
        if not raw:
            return None  # expired: it leaves the index at the next retention sweep
        ticket = Ticket.from_redis({as_str(k): as_str(v) for k, v in raw.items()})
        if not matches(ticket, replace(filters, text="")):
            return None
        if not filters.text or matches(ticket, filters):
            return ticket
        notes = [json.loads(as_str(n)).get("text", "") for n in await self.redis.lrange(keys.notes(ticket_id), 0, -1)]
        return ticket if matches(ticket, filters, notes) else None


def _choice(query: Mapping[str, str], name: str, allowed: tuple[str, ...]) -> str:
    value = query.get(name, "")
    if value and value not in allowed:
        raise ValueError(f"{name}: one of {', '.join(allowed)}")
    return value


def _short(query: Mapping[str, str], name: str, most: int) -> str:
    value = query.get(name, "").strip()
    if len(value) > most:
        raise ValueError(f"{name}: at most {most} characters")
    return value


def _limit(raw: str) -> int:
    if not raw:
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise ValueError(f"limit: a whole number from 1 to {MAX_LIMIT}")
    return int(raw)


def _time(query: Mapping[str, str], name: str) -> float | None:
    """Seconds since the epoch, or an ISO 8601 date or time (UTC unless it names its zone)."""
    raw = query.get(name, "").strip()
    if not raw:
        return None
    try:
        return float(raw) if raw.replace(".", "", 1).isdigit() else _iso(raw, whole_day=name == "to")
    except (ValueError, OverflowError):
        raise ValueError(f"{name}: seconds since the epoch or an ISO 8601 date such as 2026-12-07") from None


def _iso(raw: str, whole_day: bool) -> float:
    """A moment; a bare date as "to" means the end of that day."""
    moment = datetime.fromisoformat(raw)
    if whole_day and len(raw) == len("2026-12-07"):
        moment += timedelta(days=1) - timedelta(microseconds=1)
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).timestamp()
