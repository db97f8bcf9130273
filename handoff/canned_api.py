"""Canned answers over HTTP: every signed-in moderator reads them (``GET /api/canned``, and a
ticket's personalised list ``GET /api/tickets/{id}/canned``); only admins change them
(``/api/admin/canned``). Bodies: ``{"shortcut", "title", "topic", "text": {"pl_ty", "pl_pan", "en"}}``."""

from __future__ import annotations

import asyncio
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from bot.core.faq import load_faq
from handoff.appkeys import REDIS, SETTINGS, TICKETS
from handoff.canned import (
    MAX_TITLE_CHARS,
    MAX_TOPIC_CHARS,
    SHORTCUT,
    Canned,
    CannedStore,
    check_shortcut,
    parse,
)
from handoff.canned_fill import address, personalised
from handoff.contract import Body, contract, json_object
from handoff.errors import BadRequest
from handoff.models import MAX_TEXT_CHARS, TICKET_ID_PATTERN
from handoff.web_auth import require_admin

VariantText = Annotated[str, Field(min_length=1, max_length=MAX_TEXT_CHARS)]
PATH = {"shortcut": Annotated[str, Field(pattern=f"^{SHORTCUT.pattern}$")]}


class Texts(Body):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})
    pl_ty: VariantText | None = None
    pl_pan: VariantText | None = None
    en: VariantText | None = None


class CannedBody(Body):
    """Described here; checked by ``handoff.canned.parse``, which the YAML import shares."""

    model_config = ConfigDict(extra="forbid")
    shortcut: str = Field(pattern=f"^/?{SHORTCUT.pattern}$", description="typed as /shortcut in the reply box; unique")
    title: str = Field(min_length=1, max_length=MAX_TITLE_CHARS)
    topic: str = Field("", max_length=MAX_TOPIC_CHARS, description="an FAQ topic id or empty")
    text: Texts = Field(description="plain text per language and register; {imie} / {name}: the customer")


class CannedList(BaseModel):
    canned: list[Canned]


class Filled(BaseModel):
    shortcut: str
    title: str
    topic: str
    variant: str  # one of handoff.canned.VARIANTS
    text: str


class ForTicketOut(BaseModel):
    topic: str
    lang: str
    canned: list[Filled]


class DeletedOut(BaseModel):
    deleted: str

# Any segment reaches the handler, which checks the admin role before the shortcut's form (a
# moderator gets 403 whatever the address, a bad shortcut 400 naming the field).
SHORTCUT_PATH = "{shortcut}"


def _path_shortcut(request: web.Request) -> str:
    try:
        return check_shortcut(request.match_info["shortcut"])
    except ValueError as e:
        raise BadRequest(str(e)) from None


def _store(request: web.Request) -> CannedStore:
    return CannedStore(request.app[REDIS])


def _faq_version(faq_dir: Path) -> tuple[int, ...]:
    return tuple(sorted(p.stat().st_mtime_ns for p in faq_dir.glob("*.yml")))


@lru_cache(maxsize=4)
def _topic_ids(faq_dir: Path, version: tuple[int, ...]) -> frozenset[str]:
    return frozenset(e.id for e in load_faq(faq_dir))


def topic_ids(faq_dir: Path) -> frozenset[str]:
    """The FAQ's topic ids, read again only when a topic file changed (reading them takes ~0.3 s)."""
    return _topic_ids(faq_dir, _faq_version(faq_dir))


async def topics(request: web.Request) -> frozenset[str]:
    return await asyncio.to_thread(topic_ids, request.app[SETTINGS].admin_paths.faq)


async def _parsed(request: web.Request) -> Canned:
    data = await json_object(request)
    try:
        return parse(data, await topics(request))
    except ValueError as e:
        raise BadRequest(str(e)) from None


@contract("Every canned answer with all its variants", reply=CannedList)
async def list_all(request: web.Request) -> web.Response:
    answers = await _store(request).all()
    return web.json_response({"canned": [c.to_json() for c in answers]})


@contract("Add a canned answer (admin; 409 if the shortcut exists)", body=CannedBody, ok=201, reply=Canned)
async def create(request: web.Request) -> web.Response:
    require_admin(request)
    canned = await _store(request).create(await _parsed(request))
    return web.json_response(canned.to_json(), status=201)


@contract("Replace a canned answer (admin)", body=CannedBody, reply=Canned, path=PATH)
async def update(request: web.Request) -> web.Response:
    require_admin(request)
    shortcut = _path_shortcut(request)
    canned = await _parsed(request)
    if canned.shortcut != shortcut:
        raise BadRequest("shortcut: differs from the address; delete and add to rename")
    return web.json_response((await _store(request).update(canned)).to_json())


@contract("Remove a canned answer (admin)", reply=DeletedOut, path=PATH)
async def delete(request: web.Request) -> web.Response:
    require_admin(request)
    shortcut = _path_shortcut(request)
    await _store(request).delete(shortcut)
    return web.json_response({"deleted": shortcut})


@contract("Canned answers personalised for the ticket: its language, the brand's register, the customer's name; "
          "the ticket's topic first", reply=ForTicketOut)
async def for_ticket(request: web.Request) -> web.Response:
    """The answers as the ticket's reply box inserts them, the ticket's topic (the bot's best
    evidence) first, then by topic and title."""
    ticket = await request.app[TICKETS].get(request.match_info["ticket_id"])
    register = request.app[SETTINGS].register
    name = await asyncio.to_thread(address, ticket.customer_name, ticket.lang, register)
    topic = str(ticket.evidence[0].get("faq_id") or "") if ticket.evidence else ""
    answers = sorted(await _store(request).all(),
                     key=lambda c: (c.topic != topic or not topic, c.topic == "", c.topic, c.title.lower()))
    return web.json_response({"topic": topic, "lang": ticket.lang,
                              "canned": personalised(answers, name, ticket.lang, register)})


def setup_routes(app: web.Application) -> None:
    r = app.router
    r.add_get("/api/canned", list_all)
    r.add_post("/api/admin/canned", create)
    r.add_put(f"/api/admin/canned/{SHORTCUT_PATH}", update)
    r.add_delete(f"/api/admin/canned/{SHORTCUT_PATH}", delete)
    r.add_get(f"/api/tickets/{{ticket_id:{TICKET_ID_PATTERN}}}/canned", for_ticket)

