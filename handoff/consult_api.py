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
from typing import Any

from aiohttp import web
from aiosmtplib import SMTPException
from pydantic import BaseModel, Field

from handoff.api import TRANSCRIPT_EVENTS, _text_field
from handoff.appkeys import REDIS, SETTINGS, TICKETS, session_of
from handoff.consult import customer_lines, message, new_token, strip_quoted, token_of
from handoff.consult_store import Consults
from handoff.contract import Auth, Body, contract, form_fields, json_object
from handoff.errors import BadRequest, HandoffError, NotFound
from handoff.mail import MAX_ADDRESS_CHARS, MailSettings, address, send
from handoff.models import MAX_TEXT_CHARS, TICKET_ID_PATTERN
from handoff.tickets import require_owner

logger = logging.getLogger(__name__)
INBOUND_FIELDS = ("to", "from", "subject", "text")


class ConsultBody(Body):
    """Described here; ``to`` is checked by ``handoff.mail.address``, ``question`` as every text."""

    to: str = Field(max_length=MAX_ADDRESS_CHARS, description="an expert's e-mail address")
    question: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)


class InboundBody(Body):
    """As an inbound-mail service posts it (JSON or a form); missing or non-text fields read as empty."""

    to: str
    from_: str = Field(alias="from")
    subject: str = ""
    text: str


class Expert(BaseModel):
    name: str
    address: str


class ExpertsOut(BaseModel):
    enabled: bool
    experts: list[Expert]


class SentOut(BaseModel):
    ticket: str
    to: str


class AnsweredOut(BaseModel):
    ticket: str


class Unavailable(HandoffError):
    status = 503


class Unauthorized(HandoffError):
    status = 401


def _mail(app: web.Application) -> MailSettings:
    return app[SETTINGS].mail


@contract("Whether consulting by e-mail is on, and the experts offered", reply=ExpertsOut)
async def experts(request: web.Request) -> web.Response:
    mail = _mail(request.app)
    return web.json_response({"enabled": mail.enabled,
                              "experts": [{"name": n, "address": a} for n, a in mail.experts]})


@contract("Ask an expert by e-mail (owner or admin) with the customer's latest messages; 503 naming SMTP_HOST "
          "while it is unset", body=ConsultBody, ok=202, reply=SentOut, errors=(400, 401, 403, 404, 409, 503))
async def consult(request: web.Request) -> web.Response:
    mail, app = _mail(request.app), request.app
    if not mail.enabled:
        raise Unavailable("SMTP_HOST is not set: consulting an expert by e-mail is off")
    account, data = session_of(request).account, await json_object(request)
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
        data: Any = await json_object(request)
    else:
        data = await form_fields(request)
    return {name: data.get(name) if isinstance(data.get(name), str) else "" for name in INBOUND_FIELDS}


@contract("An expert's answer from an inbound-mail service: a note marked expert; 403 for another sender, 404 "
          "for no open consultation, 503 naming HANDOFF_INBOUND_EMAIL_TOKEN while it is unset", auth=Auth.INBOUND,
          body=InboundBody, form=True, ok=201, reply=AnsweredOut, errors=(400, 401, 403, 404, 503))
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

