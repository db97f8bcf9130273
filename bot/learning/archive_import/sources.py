"""Reading the chats to import: JSON Lines in the archive format, or CSV with one turn a row.

Both readers check the whole file and raise one ``InputError`` listing every bad line; records
keep their source ids until ``records.build`` numbers them.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.core.archive_format import (
    BOT_RESOLVED,
    CHANNELS,
    GUEST,
    HUMAN_REQUEST,
    LANGS,
    MODERATOR,
    MODERATOR_RESOLVED,
    ROLES,
)
from bot.learning.archive_import.validation import (
    InputError,
    check_record,
    format_time,
    one_of,
    parse_time,
    required_text,
)

CSV_COLUMNS = ("conversation_id", "channel", "lang", "at", "role", "author", "text")
# A CSV export does not say why a conversation was handed off; asking for a person is the usual reason.
CSV_HANDOFF_REASONS = [HUMAN_REQUEST]


def read_input(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(line number, record) of every conversation in ``path``, by its suffix."""
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".json"):
        return read_jsonl(path)
    if suffix == ".csv":
        return read_csv(path)
    raise InputError([f"{path}: unknown input type {suffix!r}; expected .jsonl or .csv"])


# --- JSON Lines -----------------------------------------------------------------------------
def read_jsonl(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(line number, checked record) of every non-blank line; InputError listing every bad line."""
    records, problems = [], []
    with open(path, encoding="utf-8") as lines:
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                records.append((n, check_record(json.loads(line))))
            except json.JSONDecodeError as exc:
                problems.append(f"{path}:{n}: not valid JSON: {exc.msg} (column {exc.colno})")
            except ValueError as exc:
                problems.append(f"{path}:{n}: {exc}")
    if problems:
        raise InputError(problems)
    return records


# --- CSV ------------------------------------------------------------------------------------
@dataclass
class _CsvConversation:
    line: int
    channel: str
    lang: str
    turns: list[tuple[datetime, int, dict[str, Any]]] = field(default_factory=list)


def read_csv(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """One record per conversation_id (ids are the source ids for now); InputError on any bad row."""
    conversations: dict[str, _CsvConversation] = {}
    problems = []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        _csv_header(header, path)
        names = [h.strip() for h in header or []]
        end_of_previous = reader.line_num
        for values in reader:
            # A quoted text may span lines; a row is named by the line it starts on.
            line, end_of_previous = end_of_previous + 1, reader.line_num
            where = f"{path}:{line}"
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(names):
                problems.append(f"{where}: {len(values)} fields, expected {len(names)}")
                continue
            try:
                _add_row(conversations, dict(zip(names, values, strict=True)), line)
            except ValueError as exc:
                problems.append(f"{where}: {exc}")
    if problems:
        raise InputError(problems)
    return [(c.line, _csv_record(cid, c)) for cid, c in conversations.items()]


def _csv_header(header: list[str] | None, path: Path) -> None:
    if header is None:
        raise InputError([f"{path}:1: empty file, expected the header {','.join(CSV_COLUMNS)}"])
    names = [h.strip() for h in header]
    missing = [c for c in CSV_COLUMNS if c not in names]
    extra = [h for h in names if h not in CSV_COLUMNS]
    problems = ([f"missing column(s) {', '.join(missing)}"] if missing else []) + \
        ([f"unexpected column(s) {', '.join(extra)}"] if extra else [])
    if problems or len(names) != len(CSV_COLUMNS):
        raise InputError([f"{path}:1: bad header ({'; '.join(problems) or 'a repeated column'}), "
                          f"expected {','.join(CSV_COLUMNS)}"])


def _add_row(conversations: dict[str, _CsvConversation], row: dict[str, str], line: int) -> None:
    """The row's turn added to its conversation; ValueError if the row does not fit it."""
    cid = required_text(row["conversation_id"], "conversation_id").strip()
    channel = one_of(row["channel"], CHANNELS, "channel")
    lang = one_of(row["lang"], LANGS, "lang")
    at, turn = _csv_turn(row)
    conversation = conversations.setdefault(cid, _CsvConversation(line, channel, lang))
    if (channel, lang) != (conversation.channel, conversation.lang):
        raise ValueError(f"channel/lang {channel}/{lang} differ from the conversation's first row "
                         f"(line {conversation.line}: {conversation.channel}/{conversation.lang})")
    if any(format_time(other) == turn["at"] for other, _l, _t in conversation.turns):
        raise ValueError(f"two turns of conversation {cid} at the same second {turn['at']}")
    conversation.turns.append((at, line, turn))


def _csv_turn(row: dict[str, str]) -> tuple[datetime, dict[str, Any]]:
    role = one_of(row["role"], ROLES, "role")
    at = parse_time(row["at"])
    turn: dict[str, Any] = {"role": role, "text": required_text(row["text"], "text"), "at": format_time(at)}
    author = row["author"].strip()
    if role == MODERATOR:
        turn["author"] = required_text(author, "author (required on moderator rows)")
    elif author:
        raise ValueError(f"author {author!r} on a {role} row (only moderator rows have one)")
    return at, turn


def handoff_time(turns: list[dict[str, Any]]) -> str | None:
    """When the conversation went to the moderator queue: the turn just before the first moderator turn.

    The archive wants the handoff before the first moderator reply; a CSV export does not record
    the handoff itself, and the turn before the moderator's (usually the bot's handoff notice)
    is the closest time it does have.
    """
    first = next((i for i, t in enumerate(turns) if t["role"] == MODERATOR), None)
    if first is None:
        return None
    return str(turns[max(first - 1, 0)]["at"])


def _csv_record(cid: str, conversation: _CsvConversation) -> dict[str, Any]:
    turns = [turn for _at, _line, turn in sorted(conversation.turns, key=lambda t: t[0])]
    handoff_at = handoff_time(turns)
    return {"id": cid, "channel": conversation.channel, "lang": conversation.lang,
            "started_at": turns[0]["at"], "ended_at": turns[-1]["at"],
            "customer": {"display_name": GUEST[conversation.lang]}, "turns": turns,
            "outcome": MODERATOR_RESOLVED if handoff_at else BOT_RESOLVED,
            "handoff": {"at": handoff_at, "reasons": list(CSV_HANDOFF_REASONS)} if handoff_at else None,
            "faq_ids": [], "approved_qa": []}
