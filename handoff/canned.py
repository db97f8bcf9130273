"""Canned answers (Q&A sets): records, their checks and their store.

An admin writes them; moderators insert them into a reply (``handoff.canned_fill`` personalises
them for a ticket). One Redis hash holds them all, a field per shortcut, so a shortcut is unique
by construction and an import replaces the set in one transaction. The text is plain text:
stored exactly as typed, HTML included; the console only ever inserts it as text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from dataclasses import asdict, dataclass
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import WatchError

from bot.core import keys
from handoff.errors import BadRequest, Conflict, NotFound
from handoff.models import MAX_TEXT_CHARS

MAX_TITLE_CHARS = 80
MAX_SHORTCUT_CHARS = 32
MAX_TOPIC_CHARS = 64
MAX_CANNED = 1000  # answers in the set: the console loads them all with a ticket
VARIANTS = ("pl_ty", "pl_pan", "en")  # language and, for Polish, the brand's register (BRAND_REGISTER)
FIELDS = ("shortcut", "title", "topic", "text")
SHORTCUT = re.compile(rf"[a-z0-9_-]{{1,{MAX_SHORTCUT_CHARS}}}")


@dataclass(frozen=True)
class Canned:
    shortcut: str  # without the slash: "zwrot" is typed as "/zwrot"
    title: str
    text: dict[str, str]  # variant ("pl_ty", "pl_pan", "en") -> text; at least one
    topic: str = ""  # an FAQ topic id, or "" for none

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def check_shortcut(value: Any) -> str:
    """A shortcut as typed ("/zwrot" or "zwrot"), without its slash; ValueError naming the field."""
    if not isinstance(value, str):
        raise ValueError("shortcut must be text")
    shortcut = value.strip().removeprefix("/")
    if not SHORTCUT.fullmatch(shortcut):
        raise ValueError(f"shortcut must be 1-{MAX_SHORTCUT_CHARS} lowercase letters, digits, _ or -")
    return shortcut


def _title(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("title must be a non-empty string")
    if len(value.strip()) > MAX_TITLE_CHARS:
        raise ValueError(f"title is longer than {MAX_TITLE_CHARS} characters")
    return value.strip()


def _topic(value: Any, topics: Collection[str] | None) -> str:
    if value is None or value == "":
        return ""
    if not isinstance(value, str) or len(value) > MAX_TOPIC_CHARS:
        raise ValueError("topic must be an FAQ topic id")
    if topics is not None and value not in topics:
        raise ValueError(f"topic {value!r} is not an FAQ topic")
    return value


def _texts(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not value:
        raise ValueError(f"text must be an object with one or more of {', '.join(VARIANTS)}")
    texts: dict[str, str] = {}
    for variant, text in value.items():
        if variant not in VARIANTS:
            raise ValueError(f"text.{variant}: unknown variant (use {', '.join(VARIANTS)})")
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"text.{variant} must be a non-empty string")
        if len(text.strip()) > MAX_TEXT_CHARS:
            raise ValueError(f"text.{variant} is longer than {MAX_TEXT_CHARS} characters")
        texts[variant] = text.strip()
    return {v: texts[v] for v in VARIANTS if v in texts}


def parse(data: Any, topics: Collection[str] | None = None) -> Canned:
    """A canned answer from JSON or YAML; ValueError naming the first bad field. ``topics``: the
    known FAQ topic ids (None: not checked)."""
    if not isinstance(data, dict):
        raise ValueError("a canned answer must be an object")
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ValueError(f"{unknown[0]}: unknown field (use {', '.join(FIELDS)})")
    return Canned(
        shortcut=check_shortcut(data.get("shortcut")),
        title=_title(data.get("title")),
        text=_texts(data.get("text")),
        topic=_topic(data.get("topic"), topics),
    )


def _record(raw: str) -> Canned:
    data = json.loads(raw)
    return Canned(shortcut=data["shortcut"], title=data["title"], text=data["text"], topic=data.get("topic", ""))


class CannedStore:
    """The set of canned answers in Redis (``keys.CANNED``)."""

    def __init__(self, client: Redis) -> None:
        self.client: Any = client  # redis-py's annotations don't fit decode_responses clients

    async def all(self) -> list[Canned]:
        raw = await self.client.hvals(keys.CANNED)
        return sorted((_record(r) for r in raw), key=lambda c: c.shortcut)

    async def get(self, shortcut: str) -> Canned:
        raw = await self.client.hget(keys.CANNED, shortcut)
        if raw is None:
            raise NotFound(f"no canned answer /{shortcut}")
        return _record(raw)

    async def create(self, canned: Canned) -> Canned:
        if await self.client.hlen(keys.CANNED) >= MAX_CANNED:
            raise BadRequest(f"at most {MAX_CANNED} canned answers")
        if not await self.client.hsetnx(keys.CANNED, canned.shortcut, _dump(canned)):
            raise Conflict(f"canned answer /{canned.shortcut} exists already")
        return canned

    async def update(self, canned: Canned) -> Canned:
        async with self.client.pipeline(transaction=True) as pipe:
            try:
                await pipe.watch(keys.CANNED)
                if not await pipe.hexists(keys.CANNED, canned.shortcut):
                    raise NotFound(f"no canned answer /{canned.shortcut}")
                pipe.multi()
                pipe.hset(keys.CANNED, canned.shortcut, _dump(canned))
                await pipe.execute()
            except WatchError:
                raise Conflict(f"canned answer /{canned.shortcut} changed meanwhile; try again") from None
        return canned

    async def delete(self, shortcut: str) -> None:
        if not await self.client.hdel(keys.CANNED, shortcut):
            raise NotFound(f"no canned answer /{shortcut}")

    async def replace_all(self, answers: list[Canned], keep_others: bool) -> None:
        """Write a whole set (an import) in one transaction; ``keep_others=False`` drops the rest."""
        shortcuts = [c.shortcut for c in answers]
        if len(set(shortcuts)) != len(shortcuts):
            raise BadRequest("shortcut: the same shortcut is given twice")
        async with self.client.pipeline(transaction=True) as pipe:
            try:
                await pipe.watch(keys.CANNED)
                kept = set() if not keep_others else set(await pipe.hkeys(keys.CANNED))
                if len(kept | set(shortcuts)) > MAX_CANNED:
                    raise BadRequest(f"at most {MAX_CANNED} canned answers")
                pipe.multi()
                if not keep_others:
                    pipe.delete(keys.CANNED)
                if answers:
                    pipe.hset(keys.CANNED, mapping={c.shortcut: _dump(c) for c in answers})
                await pipe.execute()
            except WatchError:
                raise Conflict("canned answers changed meanwhile; try again") from None


def _dump(canned: Canned) -> str:
    return json.dumps(canned.to_json(), ensure_ascii=False)
