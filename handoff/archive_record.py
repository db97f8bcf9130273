"""A finished conversation as an archive record (faq_corpus/archive/FORMAT.md): plain functions.

Personal data is redacted here, before the record exists, so nothing unredacted is ever
written. Times are whole-second UTC with ``Z``; turn times are kept strictly increasing as
the format requires (a turn in the same second as the one before is put one second later).
"""

from __future__ import annotations

import time
from typing import Any

from bot.core.archive_format import (
    ABANDONED,
    BOT_RESOLVED,
    CUSTOMER,
    GUEST,
    HUMAN_REQUEST,
    MESSENGER,
    MODERATOR,
    MODERATOR_RESOLVED,
    REASONS,
    TIME_FORMAT,
    WEB,
)
from bot.core.language import detect_lang
from bot.learning.redact import redact
from handoff.models import Ticket, TicketState
from handoff.transcript import turn_of

# Reasons the brain gives that the archive format names differently.
REASON_ALIASES = {"second_attempt": "low_confidence", "public_complaint": "negative_sentiment",
                  "complex_or_upset": "negative_sentiment", "anger": "negative_sentiment",
                  "public_threat": "negative_sentiment", "answer_rejected": "low_confidence",
                  "repeated_failure": "repeated_question", "complex_case": "multiple_problems",
                  "third_party_bounce": "multiple_problems", "damage_property_health": "compensation",
                  "security_incident": "human_request", "data_leak": "human_request",
                  "bereavement_minors_disability": "human_request"}


def iso(at: float) -> str:
    return time.strftime(TIME_FORMAT, time.gmtime(at))


def display_name(customer_name: str, lang: str) -> str:
    """At most a first name and the surname's initial ("Marek K."), or Gość/Guest."""
    parts = customer_name.split()
    if not parts:
        return GUEST[lang]
    return parts[0] if len(parts) == 1 else f"{parts[0]} {parts[-1][0]}."


def archive_reasons(reasons: list[str]) -> list[str]:
    mapped = [REASON_ALIASES.get(r, r) for r in reasons]
    return [r for r in dict.fromkeys(mapped) if r in REASONS] or [HUMAN_REQUEST]


def build_record(record_id: str, conversation_id: str, events: list[dict[str, Any]],
                 tickets: list[Ticket]) -> dict[str, Any] | None:
    """The archive record of ``events`` (one finished stretch of a conversation), or None
    when the customer said nothing in it."""
    turns = [t for t in (turn_of(e) for e in events) if t is not None]
    if not any(t["role"] == CUSTOMER for t in turns):
        return None
    ticket = tickets[0] if tickets else None
    customer_text = " ".join(t["text"] for t in turns if t["role"] == CUSTOMER)
    lang = ticket.lang if ticket else detect_lang(customer_text)
    name = ticket.customer_name if ticket else ""
    out_turns: list[dict[str, Any]] = []
    last = 0
    for turn in turns:
        at = max(int(turn["at"]), last + 1)
        last = at
        item: dict[str, Any] = {"role": turn["role"], "text": redact(turn["text"], name, turn["role"]), "at": iso(at)}
        if turn["role"] == MODERATOR:
            item["author"] = turn.get("name") or "Konsultant"
        out_turns.append(item)
    moderated = any(t["role"] == MODERATOR for t in out_turns)
    if moderated:
        outcome = MODERATOR_RESOLVED
    elif ticket is not None:
        outcome = ABANDONED
    else:
        outcome = BOT_RESOLVED
    handoff = None
    if ticket is not None:
        first_moderator = next((t["at"] for t in out_turns if t["role"] == MODERATOR), out_turns[-1]["at"])
        handoff = {"at": min(iso(ticket.created_at), first_moderator), "reasons": archive_reasons(ticket.reasons)}
    return {
        "id": record_id,
        "channel": MESSENGER if conversation_id.startswith("messenger:") else WEB,
        "lang": lang,
        "started_at": out_turns[0]["at"], "ended_at": out_turns[-1]["at"],
        "customer": {"display_name": display_name(name, lang)},
        "turns": out_turns,
        "outcome": outcome,
        "handoff": handoff,
        "faq_ids": [],
        "approved_qa": [],
    }


def closed(tickets: list[Ticket]) -> bool:
    return all(t.state == TicketState.RESOLVED for t in tickets)
