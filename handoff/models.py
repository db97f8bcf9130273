"""Tickets and the rules about them: plain records and functions, no I/O."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, ValidationInfo


class TicketState(str, Enum):
    QUEUED = "queued"  # waiting for a moderator; the bot is silent
    ASSIGNED = "assigned"  # one moderator owns the conversation
    RESOLVED = "resolved"  # closed; the bot owns the conversation again


class Outcome(str, Enum):
    RESOLVED = "resolved"  # the moderator solved it
    HANDED_BACK = "handed_back"  # the moderator gave the conversation back to the bot


# Minutes a reason moves a ticket up the queue: anger, legal threats and public complaints first.
REASON_PRIORITY_MINUTES = {
    "legal_threat": 45,
    "security_incident": 45,  # someone else in the account, a stolen parcel: every minute counts
    "data_leak": 45,
    "damage_property_health": 45,
    "public_threat": 40,
    "public_complaint": 40,
    "anger": 30,
    "negative_sentiment": 30,
    "bereavement_minors_disability": 30,
    "complex_or_upset": 25,
    "compensation": 25,
    "third_party_bounce": 20,
    "complex_case": 20,
    "repeated_failure": 20,
    "answer_rejected": 15,
    "multiple_problems": 15,
    "repeated_question": 10,
    "second_attempt": 10,
    "human_request": 5,
}
# Ticket ids are T and a counter (handoff/intake.py); routes take nothing else, so a path cannot
# name another key (``T1:notes``).
TICKET_ID_PATTERN = r"T[0-9]{1,18}"
MAX_TEXT_CHARS = 4000  # a moderator's reply or note
MAX_TAGS = 10
MAX_TAG_CHARS = 40


def priority_minutes(reasons: list[str]) -> int:
    """How many minutes of waiting a ticket's reasons are worth (the strongest reason counts)."""
    return max((REASON_PRIORITY_MINUTES.get(r, 0) for r in reasons), default=0)


@dataclass
class Ticket:
    id: str
    conversation_id: str
    channel: str
    lang: str
    customer_name: str
    reasons: list[str]
    evidence: list[dict[str, Any]]
    state: TicketState
    created_at: float
    priority: int = 0
    owner: str = ""
    owner_name: str = ""
    claimed_at: float | None = None
    first_response_at: float | None = None
    resolved_at: float | None = None
    outcome: str = ""
    tags: list[str] = field(default_factory=list)
    exchanges: int = 0  # real exchanges with the bot before the handoff (handoff.admission)
    client_key: str = ""  # the client address the per-address cap counted; never shown
    in_public: bool = False  # a comment under the page's posts: everyone sees it, so it is served first
    team: str = ""  # the team whose members it is offered to (handoff.teams); "": no teams configured
    rating: int | None = None  # the customer's 1-5 after a resolution (handoff.ratings)
    rating_comment: str = ""  # what they added to it
    pending_until: float | None = None  # the owner promised to come back by then (handoff.pending)
    pending_message: str = ""  # what the customer was told when the ticket went pending
    reopened_at: float | None = None  # last reopened after a resolution (handoff.reopen)
    waiting_since: float | None = None  # oldest customer message since the last reply (handoff.sla)
    reply_breaches: int = 0  # later replies that came after their target (handoff.sla)

    def to_redis(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for key, value in asdict(self).items():
            if isinstance(value, list):
                out[key] = json.dumps(value, ensure_ascii=False)
            elif isinstance(value, Enum):
                out[key] = value.value
            elif value is None:
                out[key] = ""
            else:
                out[key] = str(value)
        return out

    @classmethod
    def from_redis(cls, raw: dict[str, str]) -> Ticket:
        def number(key: str) -> float | None:
            return float(raw[key]) if raw.get(key) else None

        return cls(
            id=raw["id"], conversation_id=raw["conversation_id"], channel=raw["channel"], lang=raw["lang"],
            customer_name=raw.get("customer_name", ""), reasons=json.loads(raw.get("reasons") or "[]"),
            evidence=json.loads(raw.get("evidence") or "[]"), state=TicketState(raw["state"]),
            created_at=float(raw["created_at"]), priority=int(raw.get("priority") or 0),
            owner=raw.get("owner", ""), owner_name=raw.get("owner_name", ""), claimed_at=number("claimed_at"),
            first_response_at=number("first_response_at"), resolved_at=number("resolved_at"),
            outcome=raw.get("outcome", ""), tags=json.loads(raw.get("tags") or "[]"),
            exchanges=int(raw.get("exchanges") or 0), client_key=raw.get("client_key", ""),
            in_public=raw.get("in_public") == "True",
            team=raw.get("team", ""),
            rating=int(raw["rating"]) if raw.get("rating") else None, rating_comment=raw.get("rating_comment", ""),
            pending_until=number("pending_until"), pending_message=raw.get("pending_message", ""),
            reopened_at=number("reopened_at"),
            waiting_since=number("waiting_since"), reply_breaches=int(raw.get("reply_breaches") or 0),
        )

    def public(self) -> dict[str, Any]:
        """The JSON the API and the console get."""
        data = asdict(self)
        data["state"] = self.state.value
        data["public"] = data.pop("in_public")
        del data["client_key"]
        return data


def clean_tags(tags: Any) -> list[str]:
    """Tags as given by a moderator: a list of short strings, deduplicated, order kept."""
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ValueError("tags must be a list of strings")
    seen: list[str] = []
    for tag in (t.strip() for t in tags):
        if not tag:
            continue
        if len(tag) > MAX_TAG_CHARS:
            raise ValueError(f"a tag is at most {MAX_TAG_CHARS} characters")
        if tag not in seen:
            seen.append(tag)
    if len(seen) > MAX_TAGS:
        raise ValueError(f"at most {MAX_TAGS} tags")
    return seen


def clean_text(text: Any, what: str = "text") -> str:
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"{what} must be a non-empty string")
    if len(text) > MAX_TEXT_CHARS:
        raise ValueError(f"{what} is longer than {MAX_TEXT_CHARS} characters")
    return text.strip()


def _text_of_field(value: Any, info: ValidationInfo) -> str:
    return clean_text(value, info.field_name or "text")


# The request bodies' fields (``handoff.contract``): these very checks, their messages, and the schema.
Text = Annotated[str, Field(min_length=1, max_length=MAX_TEXT_CHARS), BeforeValidator(_text_of_field)]
Tags = Annotated[list[Annotated[str, Field(min_length=1, max_length=MAX_TAG_CHARS)]], Field(max_length=MAX_TAGS),
                 BeforeValidator(clean_tags)]
