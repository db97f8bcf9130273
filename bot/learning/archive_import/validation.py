"""Checking one archive record from the input and normalising its times (FORMAT.md's rules).

Each check raises ``ValueError`` naming the field; the readers add the line number and collect
every problem into one ``InputError`` so the whole input is reported at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from bot.core.archive_format import (
    BOT_RESOLVED,
    CHANNELS,
    CUSTOMER_KEYS,
    HANDOFF_KEYS,
    LANGS,
    MODERATOR,
    MODERATOR_RESOLVED,
    MODERATOR_TURN_KEYS,
    OUTCOMES,
    QA_KEYS,
    REASONS,
    ROLES,
    TIME_FORMAT,
    TOP_KEYS,
    TURN_KEYS,
)


class InputError(Exception):
    """Problems found in the input (or the output file), each as "where: what"."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


# --- values ---------------------------------------------------------------------------------
def parse_time(value: Any) -> datetime:
    """An ISO-8601 time with a time zone (``Z`` or an offset), as UTC."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"time {value!r} is not an ISO-8601 string")
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError(f"time {value!r} is not ISO-8601") from None
    if parsed.tzinfo is None:
        raise ValueError(f"time {value!r} has no time zone")
    return parsed.astimezone(timezone.utc)


def format_time(moment: datetime) -> str:
    """UTC with a ``Z`` and whole seconds, as the archive writes times."""
    return moment.astimezone(timezone.utc).replace(microsecond=0).strftime(TIME_FORMAT)


def _time(value: Any, what: str) -> str:
    try:
        return format_time(parse_time(value))
    except ValueError as exc:
        raise ValueError(f"{what}: {exc}") from None


def required_text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} must be a non-empty string")
    return value


def one_of(value: Any, allowed: Sequence[str], what: str) -> str:
    if value not in allowed:
        raise ValueError(f"{what} {value!r} is not one of {', '.join(allowed)}")
    return str(value)


def _keys(obj: Any, wanted: Sequence[str], what: str) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise ValueError(f"{what} must be a JSON object")
    missing = [k for k in wanted if k not in obj]
    extra = [k for k in obj if k not in wanted]
    if missing:
        raise ValueError(f"{what}: missing key(s) {', '.join(missing)}")
    if extra:
        raise ValueError(f"{what}: unexpected key(s) {', '.join(extra)}")
    return obj


def _list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError(f"{what} must be a list")
    return value


# --- parts of a record ----------------------------------------------------------------------
def _turn(raw: Any, i: int) -> dict[str, Any]:
    what = f"turn {i}"
    if not isinstance(raw, dict):
        raise ValueError(f"{what} must be a JSON object")
    role = one_of(raw.get("role"), ROLES, f"{what} role")
    _keys(raw, MODERATOR_TURN_KEYS if role == MODERATOR else TURN_KEYS, what)
    turn = {"role": role, "text": required_text(raw["text"], f"{what} text"), "at": _time(raw["at"], f"{what} at")}
    if role == MODERATOR:
        turn["author"] = required_text(raw["author"], f"{what} author").strip()
    return turn


def _turns(raw: Any) -> list[dict[str, Any]]:
    turns = [_turn(t, i) for i, t in enumerate(_list(raw, "turns"))]
    if not turns:
        raise ValueError("turns must not be empty")
    for i in range(1, len(turns)):
        if turns[i]["at"] <= turns[i - 1]["at"]:
            raise ValueError(f"turn {i} is not later than turn {i - 1}")
    return turns


def _handoff(raw: Any) -> dict[str, Any] | None:
    if raw is None:
        return None
    _keys(raw, HANDOFF_KEYS, "handoff")
    reasons = _list(raw["reasons"], "handoff reasons")
    if not reasons or len(set(reasons)) != len(reasons):
        raise ValueError("handoff reasons must be a non-empty list without repeats")
    for reason in reasons:
        one_of(reason, REASONS, "handoff reason")
    return {"at": _time(raw["at"], "handoff at"), "reasons": list(reasons)}


def _check_outcome(outcome: str, turns: list[dict[str, Any]], handoff: dict[str, Any] | None) -> None:
    has_moderator = any(t["role"] == MODERATOR for t in turns)
    if outcome == MODERATOR_RESOLVED and not has_moderator:
        raise ValueError("outcome moderator_resolved without a moderator turn")
    if outcome == BOT_RESOLVED and (has_moderator or handoff is not None):
        raise ValueError("outcome bot_resolved with a moderator turn or a handoff")
    if has_moderator and handoff is None:
        raise ValueError("a moderator turn but handoff is null")


def _faq_ids(raw: Any) -> list[Any]:
    faq_ids = _list(raw, "faq_ids")
    if not all(isinstance(f, str) and f for f in faq_ids) or len(set(faq_ids)) != len(faq_ids):
        raise ValueError("faq_ids must be topic ids without repeats")
    return list(faq_ids)


def _approved(raw: Any, j: int) -> dict[str, Any]:
    what = f"approved_qa {j}"
    _keys(raw, QA_KEYS, what)
    faq_id = raw["faq_id"]
    if faq_id is not None and not (isinstance(faq_id, str) and faq_id.strip()):
        raise ValueError(f"{what} faq_id must be a topic id or null")
    return {"question": required_text(raw["question"], f"{what} question"),
            "answer": required_text(raw["answer"], f"{what} answer"),
            "faq_id": faq_id, "approved_by": required_text(raw["approved_by"], f"{what} approved_by"),
            "approved_at": _time(raw["approved_at"], f"{what} approved_at")}


# --- a whole record -------------------------------------------------------------------------
def check_record(raw: Any) -> dict[str, Any]:
    """The record with times normalised; ValueError naming the first problem."""
    _keys(raw, TOP_KEYS, "record")
    turns = _turns(raw["turns"])
    started, ended = _time(raw["started_at"], "started_at"), _time(raw["ended_at"], "ended_at")
    if (started, ended) != (turns[0]["at"], turns[-1]["at"]):
        raise ValueError("started_at/ended_at are not the times of the first and last turn")
    customer = _keys(raw["customer"], CUSTOMER_KEYS, "customer")
    outcome = one_of(raw["outcome"], OUTCOMES, "outcome")
    handoff = _handoff(raw["handoff"])
    _check_outcome(outcome, turns, handoff)
    faq_ids = _faq_ids(raw["faq_ids"])
    return {"id": required_text(raw["id"], "id"), "channel": one_of(raw["channel"], CHANNELS, "channel"),
            "lang": one_of(raw["lang"], LANGS, "lang"), "started_at": started, "ended_at": ended,
            "customer": {"display_name": required_text(customer["display_name"], "customer display_name")},
            "turns": turns, "outcome": outcome, "handoff": handoff, "faq_ids": faq_ids,
            "approved_qa": [_approved(p, j) for j, p in enumerate(_list(raw["approved_qa"], "approved_qa"))]}
