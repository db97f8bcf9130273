"""Consulting an expert by e-mail from a ticket, and the inbound mail webhook for the answer.

- ``GET /api/consult/experts``: whether e-mail is on (``SMTP_HOST``) and the offered experts.
- ``POST /api/tickets/{id}/consult`` ``{"to", "question"}``: the owner (or an admin) sends the
  question with the customer's latest messages; 503 naming ``SMTP_HOST`` when e-mail is off.
- ``POST /inbound/email``: an inbound-mail service posts the answer (JSON or form: ``to``,
  ``from``, ``subject``, ``text``) with ``Authorization: Bearer <HANDOFF_INBOUND_EMAIL_TOKEN>``.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web
from aiosmtplib import SMTPException

from handoff.api import TRANSCRIPT_EVENTS, _body, _text_field
from handoff.appkeys import REDIS, SETTINGS, TICKETS, session_of
from handoff.consult import customer_lines, message, new_token, strip_quoted, token_of
from handoff.consult_store import Consults
from handoff.errors import BadRequest, HandoffError, NotFound
from handoff.mail import MAX_ADDRESS_CHARS, MailSettings, address, send
from handoff.models import MAX_TEXT_CHARS, TICKET_ID_PATTERN
from handoff.tickets import require_owner

logger = logging.getLogger(__name__)
INBOUND_FIELDS = ("to", "from", "subject", "text")


class Unavailable(HandoffError):
    status = 503


class Unauthorized(HandoffError):
    status = 401


def _mail(app: web.Application) -> MailSettings:
    return app[SETTINGS].mail


async def experts(request: web.Request) -> web.Response:
    mail = _mail(request.app)
    return web.json_response({"enabled": mail.enabled,
                              "experts": [{"name": n, "address": a} for n, a in mail.experts]})


async def consult(request: web.Request) -> web.Response:
    mail, app = _mail(request.app), request.app
    if not mail.enabled:
        raise Unavailable("SMTP_HOST is not set: consulting an expert by e-mail is off")
    account, data = session_of(request).account, await _body(request)
    try:
        to = address(data.get("to"))
    except ValueError as e:
        raise BadRequest(f"to {e}") from None
    question = _text_field(data, "question")
    ticket = await app[TICKETS].get(request.match_info["ticket_id"])
    require_owner(ticket, account.login, account.is_admin)
    raw = await app[REDIS].lrange(app[SETTINGS].tracker_keys.events(ticket.conversation_id), -TRANSCRIPT_EVENTS, -1)
    token, consults = new_token(), Consults(app[TICKETS], mail.consult_days)
    mail_message = message(ticket_id=ticket.id, sender=mail.smtp_from, to=to, token=token, question=question,
                           moderator=account.display_name, context=customer_lines([json.loads(r) for r in raw]))
    await consults.open(token, ticket, to, account.login)
    try:
        await send(mail, mail_message)
    except (SMTPException, OSError) as e:
        await consults.forget(token)
        logger.warning("consult e-mail for ticket %s not sent: %s", ticket.id, e)
        raise Unavailable(f"the e-mail could not be sent (SMTP_HOST {mail.smtp_host}): {e}") from None
    await consults.sent(ticket, to, account.login, question)
    return web.json_response({"ticket": ticket.id, "to": to}, status=202)


async def _inbound_fields(request: web.Request) -> dict[str, str]:
    if request.content_type == "application/json":
        data: Any = await _body(request)
    else:
        data = dict(await request.post())
    return {name: data.get(name) if isinstance(data.get(name), str) else "" for name in INBOUND_FIELDS}


async def inbound_email(request: web.Request) -> web.Response:
    expected = _mail(request.app).inbound_token
    given = request.headers.get("Authorization", "")
    if not given.startswith("Bearer "):  # a caller without a key learns nothing, configured or not
        raise Unauthorized("missing inbound e-mail token (Authorization: Bearer ...)")
    if not expected:
        raise Unavailable("HANDOFF_INBOUND_EMAIL_TOKEN is not set: inbound e-mail is off")
    if not hmac.compare_digest(given.encode(), f"Bearer {expected}".encode()):
        raise Unauthorized("missing or wrong inbound e-mail token (Authorization: Bearer ...)")
    fields = await _inbound_fields(request)
    token = token_of(fields["to"], fields["subject"])
    if token is None:
        raise NotFound("to/subject: no consultation token in the recipient address or the subject")
    try:
        sender = address(fields["from"])
    except ValueError as e:
        raise BadRequest(f"from {e}") from None
    text = strip_quoted(fields["text"])
    if not text:
        raise BadRequest("text: the answer is empty once quoted text is removed")
    note = await Consults(request.app[TICKETS], _mail(request.app).consult_days).answer(token, sender, text)
    return web.json_response({"ticket": note["ticket"]}, status=201)


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/api/consult/experts", experts)
    app.router.add_post(f"/api/tickets/{{ticket_id:{TICKET_ID_PATTERN}}}/consult", consult)
    app.router.add_post("/inbound/email", inbound_email)


def openapi_paths(op: Callable[..., dict[str, Any]], ticket_id: dict[str, Any]) -> dict[str, Any]:
    """This module's routes for ``handoff.openapi`` (``op`` is its operation builder)."""
    off = {"description": "e-mail is off: the error names the setting",
           "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    consult_op = op("Ask an expert by e-mail (owner or admin) with the customer's latest messages; 503 while "
                    "SMTP_HOST is unset", params=[ticket_id], ok="202", body={
                        "type": "object", "required": ["to", "question"], "additionalProperties": False,
                        "properties": {"to": {"type": "string", "maxLength": MAX_ADDRESS_CHARS},
                                       "question": {"type": "string", "minLength": 1, "maxLength": MAX_TEXT_CHARS}}})
    string = {"type": "string"}
    inbound_op = op("An expert's answer from an inbound-mail service (JSON or form; Bearer "
                    "HANDOFF_INBOUND_EMAIL_TOKEN): a note marked expert; 403 for another sender, 404 for no open "
                    "consultation", security="service", ok="201", body={
                        "type": "object", "required": ["to", "from", "text"],
                        "properties": {name: string for name in INBOUND_FIELDS}})
    consult_op["responses"]["503"] = inbound_op["responses"]["503"] = off
    return {
        "/api/consult/experts": {"get": op("Whether consulting by e-mail is on, and the experts offered")},
        "/api/tickets/{ticket_id}/consult": {"post": consult_op},
        "/inbound/email": {"post": inbound_op},
    }
