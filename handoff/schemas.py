"""Answers many routes share, as pydantic models for ``handoff.openapi``: the error shape and a ticket
as the API shows it (``Ticket.public``; ``tests/handoff/test_openapi.py`` keeps the two in step).
Answers of one route live with their handler."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from handoff.models import TICKET_ID_PATTERN


class ErrorOut(BaseModel):
    """Every refusal: the status says what kind, the message names the field or the thing and its id."""

    error: str


class TicketOut(BaseModel):
    id: str = Field(pattern=f"^{TICKET_ID_PATTERN}$")
    conversation_id: str
    channel: str
    lang: str
    customer_name: str
    reasons: list[str]
    evidence: list[dict[str, Any]]
    state: Literal["queued", "assigned", "resolved"]
    created_at: float
    priority: int
    owner: str
    owner_name: str
    claimed_at: float | None
    first_response_at: float | None
    resolved_at: float | None
    outcome: str
    tags: list[str]
    exchanges: int
    public: bool = Field(description="a comment under the page's posts: everyone sees it")
    team: str
    rating: int | None
    rating_comment: str
    pending_until: float | None
    pending_message: str
    reopened_at: float | None
    waiting_since: float | None
    reply_breaches: int


class TicketRow(TicketOut):
    """A ticket as the queue shows it: its place and its SLA clocks (``handoff.api.summary``, ``handoff.sla``)."""

    position: int | None
    waiting_seconds: int
    first_response_due_at: float
    sla_breached: bool
    sla_minutes: int
    waiting_breached: bool
    resolution_sla_minutes: int
    due: bool = Field(description="a pending ticket whose promised time has come")


class TicketList(BaseModel):
    tickets: list[TicketOut]
