"""The console's JSON API (``/api``): every route behind a signed-in session."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel

from handoff import clock as ticket_clock
from handoff.appkeys import ACCOUNTS, REDIS, SETTINGS, SUGGEST, TICKETS, session_of
from handoff.assigner import request_assign
from handoff.comments import check_private_reply, comment_facts, parse_visibility
from handoff.contract import MAX_BODY_BYTES, Body, body_of, contract
from handoff.contract import json_object as _body
from handoff.errors import BadRequest, NotFound
from handoff.metrics import snapshot
from handoff.models import TICKET_ID_PATTERN, Outcome, Tags, Text, Ticket, TicketState, clean_text
from handoff.notify import request_notify
from handoff.pending import with_due
from handoff.ratings import satisfaction
from handoff.reply_window import check_reply_window, reply_window
from handoff.schemas import TicketOut, TicketRow
from handoff.sla import clock
from handoff.stats_report import WindowQuery, window_report
from handoff.team_sla import ticket_targets
from handoff.transcript import last_customer_text, transcript
from handoff.vocative import greeting

__all__ = ["MAX_BODY_BYTES", "_body"]  # older names of handoff.contract's, kept for their importers
TRANSCRIPT_EVENTS = 2000  # the latest events of a conversation read for the console


class ReplyBody(Body):
    text: Text
    visibility: Literal["public", "private"] | None = None  # public comments only; default public


class NoteBody(Body):
    text: Text
    important: bool = False  # shown in the shift handover


class TagsBody(Body):
    tags: Tags


class TransferBody(Body):
    to: str  # a moderator's login


class MeOut(BaseModel):
    login: str
    display_name: str
    role: Literal["moderator", "admin"]
    csrf_token: str
    sla_minutes: int


class QueueOut(BaseModel):
    tickets: list[TicketRow]
    sla_minutes: int
    now: float


class DetailOut(BaseModel):
    ticket: TicketRow
    transcript: list[dict[str, Any]]
    notes: list[dict[str, Any]]
    history: list[dict[str, str]]
    suggestions: list[Any]
    greeting: str
    comment: dict[str, Any] | None
    reply_window: dict[str, Any] | None


class NoteOut(BaseModel):
    author: str
    text: str
    at: float
    important: bool = False


class ModeratorOut(BaseModel):
    login: str
    display_name: str
    role: Literal["moderator", "admin"]


class StatsOut(BaseModel):
    """``handoff.metrics.snapshot`` and satisfaction; with ``?window=`` also the window's report."""

    queue_length: float
    open_tickets: float
    oldest_wait_seconds: float
    handoff_rate: float
    satisfaction: dict[str, Any]
    window: str | None = None
    report: dict[str, Any] | None = None


def summary(ticket: Ticket, position: int | None, sla_minutes: int, now: float) -> dict[str, Any]:
    """A ticket as the queue shows it, with its SLA clock (first human reply)."""
    due = ticket.created_at + sla_minutes * 60
    answered = ticket.first_response_at
    return {
        **ticket.public(), "position": position, "waiting_seconds": round((answered or now) - ticket.created_at),
        "first_response_due_at": due, "sla_breached": (answered or now) > due,
    }


@contract("The signed-in moderator and their CSRF token", reply=MeOut)
async def me(request: web.Request) -> web.Response:
    session = session_of(request)
    account = session.account
    return web.json_response({"login": account.login, "display_name": account.display_name,
                              "role": account.role.value, "csrf_token": session.csrf,
                              "sla_minutes": request.app[SETTINGS].sla_minutes})


@contract("Open tickets, waiting first by priority, with SLA clocks", reply=QueueOut)
async def queue(request: web.Request) -> web.Response:
    store, now = request.app[TICKETS], ticket_clock.now()
    sla = request.app[SETTINGS].sla_minutes
    targets = await ticket_targets(request.app[REDIS], request.app[SETTINGS].sla, sla)  # per team and channel
    places = await store.positions()
    tickets = [{**summary(t, places.get(t.id), targets(t).first_minutes, now), **clock(t, targets(t), now)}
               for t in await store.open_tickets()]
    tickets = await with_due(request.app[REDIS], tickets)  # due pending tickets come first (handoff.pending)
    return web.json_response({"tickets": tickets, "sla_minutes": sla, "now": now})


@contract("A ticket with transcript, notes, history, suggestions", reply=DetailOut)
async def ticket_detail(request: web.Request) -> web.Response:
    app, ticket_id = request.app, request.match_info["ticket_id"]
    store = app[TICKETS]
    ticket = await store.get(ticket_id)
    raw = await app[REDIS].lrange(app[SETTINGS].tracker_keys.events(ticket.conversation_id), -TRANSCRIPT_EVENTS, -1)
    events = [json.loads(r) for r in raw]
    last = last_customer_text(events)
    suggestions = await app[SUGGEST].suggest(last) if last else []
    first_name = ticket.customer_name.split(" ")[0] if ticket.customer_name else ""
    hello = await asyncio.to_thread(greeting, first_name, ticket.lang, app[SETTINGS].register)
    targets = (await ticket_targets(app[REDIS], app[SETTINGS].sla, app[SETTINGS].sla_minutes))(ticket)
    now = ticket_clock.now()
    shown = {**summary(ticket, await store.position(ticket_id), targets.first_minutes, now),
             **clock(ticket, targets, now)}  # the SLA clock of the wait now running (handoff.sla)
    return web.json_response({
        "ticket": (await with_due(app[REDIS], [shown]))[0],
        "transcript": transcript(events), "notes": await store.notes(ticket_id),
        "history": await store.history(ticket_id), "suggestions": suggestions, "greeting": hello,
        "comment": await comment_facts(app[REDIS], ticket, events),
        "reply_window": await reply_window(app[REDIS], ticket),
    })


@contract("Take a waiting ticket (409 if taken)", reply=TicketOut)
async def claim(request: web.Request) -> web.Response:
    account = session_of(request).account
    ticket = await request.app[TICKETS].claim(request.match_info["ticket_id"], account.login, account.display_name)
    await request_notify(request.app)
    return web.json_response(ticket.public())


@contract("Reply to the customer in their channel; a public comment's reply goes under the comment or as its "
          "one private reply (409 when used)", body=ReplyBody, reply=TicketOut)
async def reply(request: web.Request) -> web.Response:
    account, data = session_of(request).account, await body_of(request, ReplyBody)
    text = data.text
    current = await request.app[TICKETS].get(request.match_info["ticket_id"])
    # a public comment: "public" or "private" (its one private reply: 409 when used), handoff.comments
    visibility = parse_visibility(data.visibility, current)
    await check_private_reply(request.app[REDIS], request.app[SETTINGS].tracker_keys, current, visibility)
    # Messenger: refused (409) once Meta's 7-day window for a person's reply has closed
    await check_reply_window(request.app[REDIS], current)
    settings = request.app[SETTINGS]
    targets = (await ticket_targets(request.app[REDIS], settings.sla, settings.sla_minutes))(current)
    ticket = await request.app[TICKETS].reply(request.match_info["ticket_id"], account.login,
                                              account.display_name, text, visibility=visibility,
                                              reply_minutes=targets.reply_minutes)
    return web.json_response(ticket.public())


@contract("Add an internal note", body=NoteBody, ok=201, reply=NoteOut)
async def add_note(request: web.Request) -> web.Response:
    account = session_of(request).account
    data = await body_of(request, NoteBody)
    note = await request.app[TICKETS].add_note(request.match_info["ticket_id"], account.login, data.text,
                                               important=data.important)
    return web.json_response(note, status=201)


@contract("Replace the tags", body=TagsBody, reply=TicketOut)
async def set_tags(request: web.Request) -> web.Response:
    tags = (await body_of(request, TagsBody)).tags
    ticket = await request.app[TICKETS].set_tags(request.match_info["ticket_id"], session_of(request).account.login,
                                                 tags)
    return web.json_response(ticket.public())


@contract("Give the ticket to another moderator", body=TransferBody, reply=TicketOut)
async def transfer(request: web.Request) -> web.Response:
    session = session_of(request)
    to = (await body_of(request, TransferBody)).to
    try:
        target = await request.app[ACCOUNTS].get(to)
    except NotFound:
        raise BadRequest(f"no moderator {to}") from None
    if target.disabled:
        raise BadRequest(f"moderator {to} is disabled")
    ticket = await request.app[TICKETS].transfer(request.match_info["ticket_id"], session.account.login,
                                                 target.login, target.display_name, session.account.is_admin)
    return web.json_response(ticket.public())


async def _close(request: web.Request, outcome: Outcome) -> web.Response:
    account = session_of(request).account
    ticket = await request.app[TICKETS].close(request.match_info["ticket_id"], account.login, outcome,
                                              account.is_admin)
    await request_notify(request.app)
    await request_assign(request.app)  # the owner has room for another (handoff.assigner)
    return web.json_response(ticket.public())


@contract("Close as solved; the bot owns the conversation again", reply=TicketOut)
async def resolve(request: web.Request) -> web.Response:
    return await _close(request, Outcome.RESOLVED)


@contract("Give the conversation back to the bot", reply=TicketOut)
async def hand_back(request: web.Request) -> web.Response:
    return await _close(request, Outcome.HANDED_BACK)


@contract("Accounts a ticket can be transferred to", reply=list[ModeratorOut])
async def moderators(request: web.Request) -> web.Response:
    accounts = await request.app[ACCOUNTS].all()
    return web.json_response([{"login": a.login, "display_name": a.display_name, "role": a.role.value}
                              for a in accounts if not a.disabled])


@contract("Recently resolved tickets", reply=list[TicketOut])
async def recent(request: web.Request) -> web.Response:
    tickets = await request.app[TICKETS].recent(100)
    return web.json_response([t.public() for t in tickets if t.state == TicketState.RESOLVED])


@contract("Queue length, waiting, first-response and resolution times, handoff rate; with ?window= also "
          "percentiles per channel, team and day", query=WindowQuery, reply=StatsOut)
async def stats(request: web.Request) -> web.Response:
    window = await window_report(request)  # first: a bad ?window= is a 400 before anything is read
    return web.json_response({**await snapshot(request.app), "satisfaction": await satisfaction(request.app[REDIS]),
                              **window})


def _text_field(data: dict[str, Any], name: str) -> str:
    try:
        return clean_text(data.get(name), name)
    except ValueError as e:
        raise BadRequest(str(e)) from None


def setup_routes(app: web.Application) -> None:
    r = app.router
    r.add_get("/api/me", me)
    r.add_get("/api/queue", queue)
    r.add_get("/api/tickets/recent", recent)
    r.add_get(f"/api/tickets/{{ticket_id:{TICKET_ID_PATTERN}}}", ticket_detail)
    r.add_post(f"/api/tickets/{{ticket_id:{TICKET_ID_PATTERN}}}/claim", claim)
    r.add_post(f"/api/tickets/{{ticket_id:{TICKET_ID_PATTERN}}}/reply", reply)
    r.add_post(f"/api/tickets/{{ticket_id:{TICKET_ID_PATTERN}}}/notes", add_note)
    r.add_put(f"/api/tickets/{{ticket_id:{TICKET_ID_PATTERN}}}/tags", set_tags)
    r.add_post(f"/api/tickets/{{ticket_id:{TICKET_ID_PATTERN}}}/transfer", transfer)
    r.add_post(f"/api/tickets/{{ticket_id:{TICKET_ID_PATTERN}}}/resolve", resolve)
    r.add_post(f"/api/tickets/{{ticket_id:{TICKET_ID_PATTERN}}}/handback", hand_back)
    r.add_get("/api/moderators", moderators)
    r.add_get("/api/stats", stats)
