"""Import archived chats from another system into the archive (``faq_corpus/archive/FORMAT.md``).

    python -m bot.archive_import CHATS.jsonl --out faq_corpus/archive/imported.jsonl [--start-id N]
    python -m bot.archive_import CHATS.csv --out faq_corpus/archive/imported.jsonl [--start-id N]

JSON Lines input is in the archive format already; CSV input has one turn per row under the
header ``conversation_id,channel,lang,at,role,author,text`` (``author`` only on moderator rows,
``at`` ISO-8601 with a time zone). Rows are grouped by ``conversation_id`` in the order the
conversations first appear and sorted by ``at`` within one.

Every text is redacted (``bot.learning.redact``) before anything is written, and display names are cut
to the first name and the initial of the surname. The whole input is checked first: on any
problem the errors are printed with their line numbers and nothing is written. Otherwise the
new lines are appended in one step – the file is rewritten beside the original and renamed over
it, so a crash leaves either the old archive or the complete new one (one writer at a time).

Conversations get new ids ``conv-NNNNNN`` after the highest id already in the output file, or
from ``--start-id`` when that is higher; lines of the input that repeat an id (an approval
appended later) keep sharing their new id.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bot.learning.redact import KINDS, MODERATOR, redact_with_counts

TOP_KEYS = ("id", "channel", "lang", "started_at", "ended_at", "customer", "turns", "outcome", "handoff",
            "faq_ids", "approved_qa")
QA_KEYS = ("question", "answer", "faq_id", "approved_by", "approved_at")
CHANNELS = ("messenger", "web")
LANGS = ("pl", "en")
ROLES = ("customer", "bot", MODERATOR)
OUTCOMES = ("bot_resolved", "moderator_resolved", "abandoned")
REASONS = ("human_request", "negative_sentiment", "legal_threat", "compensation", "multiple_problems",
           "low_confidence", "repeated_question", "out_of_scope")
CSV_COLUMNS = ("conversation_id", "channel", "lang", "at", "role", "author", "text")
GUEST = {"pl": "Gość", "en": "Guest"}
CSV_HANDOFF_REASONS = ["human_request"]
ID_PREFIX = "conv-"
ID_RE = re.compile(r"^conv-(\d{6})$")
MAX_ID = 999_999
EXIT_BAD_INPUT = 1


class InputError(Exception):
    """Problems found in the input (or the output file), each as "where: what"."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Imported:
    """Records ready to write, with their source ids, and what redaction did to them."""

    records: list[dict[str, Any]] = field(default_factory=list)
    source_ids: list[str] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def turns(self) -> int:
        return sum(len(r["turns"]) for r in self.records)


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
    return moment.astimezone(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _time(value: Any, what: str) -> str:
    try:
        return format_time(parse_time(value))
    except ValueError as exc:
        raise ValueError(f"{what}: {exc}") from None


def _required_text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} must be a non-empty string")
    return value


def _choice(value: Any, allowed: Sequence[str], what: str) -> str:
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


# --- checking one archive record ------------------------------------------------------------
def _turn(raw: Any, i: int) -> dict[str, Any]:
    what = f"turn {i}"
    if not isinstance(raw, dict):
        raise ValueError(f"{what} must be a JSON object")
    role = _choice(raw.get("role"), ROLES, f"{what} role")
    _keys(raw, ("role", "text", "at", "author") if role == MODERATOR else ("role", "text", "at"), what)
    turn = {"role": role, "text": _required_text(raw["text"], f"{what} text"), "at": _time(raw["at"], f"{what} at")}
    if role == MODERATOR:
        turn["author"] = _required_text(raw["author"], f"{what} author").strip()
    return turn


def _handoff(raw: Any) -> dict[str, Any] | None:
    if raw is None:
        return None
    _keys(raw, ("at", "reasons"), "handoff")
    reasons = _list(raw["reasons"], "handoff reasons")
    if not reasons or len(set(reasons)) != len(reasons):
        raise ValueError("handoff reasons must be a non-empty list without repeats")
    for reason in reasons:
        _choice(reason, REASONS, "handoff reason")
    return {"at": _time(raw["at"], "handoff at"), "reasons": list(reasons)}


def _approved(raw: Any, j: int) -> dict[str, Any]:
    what = f"approved_qa {j}"
    _keys(raw, QA_KEYS, what)
    faq_id = raw["faq_id"]
    if faq_id is not None and not (isinstance(faq_id, str) and faq_id.strip()):
        raise ValueError(f"{what} faq_id must be a topic id or null")
    return {"question": _required_text(raw["question"], f"{what} question"),
            "answer": _required_text(raw["answer"], f"{what} answer"),
            "faq_id": faq_id, "approved_by": _required_text(raw["approved_by"], f"{what} approved_by"),
            "approved_at": _time(raw["approved_at"], f"{what} approved_at")}


def check_record(raw: Any) -> dict[str, Any]:
    """The record with times normalised; ValueError naming the first problem."""
    _keys(raw, TOP_KEYS, "record")
    turns = [_turn(t, i) for i, t in enumerate(_list(raw["turns"], "turns"))]
    if not turns:
        raise ValueError("turns must not be empty")
    times = [t["at"] for t in turns]
    for i in range(1, len(times)):
        if times[i] <= times[i - 1]:
            raise ValueError(f"turn {i} is not later than turn {i - 1}")
    started, ended = _time(raw["started_at"], "started_at"), _time(raw["ended_at"], "ended_at")
    if (started, ended) != (times[0], times[-1]):
        raise ValueError("started_at/ended_at are not the times of the first and last turn")
    customer = _keys(raw["customer"], ("display_name",), "customer")
    outcome = _choice(raw["outcome"], OUTCOMES, "outcome")
    handoff = _handoff(raw["handoff"])
    has_moderator = any(t["role"] == MODERATOR for t in turns)
    if outcome == "moderator_resolved" and not has_moderator:
        raise ValueError("outcome moderator_resolved without a moderator turn")
    if outcome == "bot_resolved" and (has_moderator or handoff is not None):
        raise ValueError("outcome bot_resolved with a moderator turn or a handoff")
    if has_moderator and handoff is None:
        raise ValueError("a moderator turn but handoff is null")
    faq_ids = _list(raw["faq_ids"], "faq_ids")
    if not all(isinstance(f, str) and f for f in faq_ids) or len(set(faq_ids)) != len(faq_ids):
        raise ValueError("faq_ids must be topic ids without repeats")
    return {"id": _required_text(raw["id"], "id"), "channel": _choice(raw["channel"], CHANNELS, "channel"),
            "lang": _choice(raw["lang"], LANGS, "lang"), "started_at": started, "ended_at": ended,
            "customer": {"display_name": _required_text(customer["display_name"], "customer display_name")},
            "turns": turns, "outcome": outcome, "handoff": handoff, "faq_ids": list(faq_ids),
            "approved_qa": [_approved(p, j) for j, p in enumerate(_list(raw["approved_qa"], "approved_qa"))]}


# --- reading --------------------------------------------------------------------------------
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


@dataclass
class _CsvConversation:
    line: int
    channel: str
    lang: str
    turns: list[tuple[datetime, int, dict[str, Any]]] = field(default_factory=list)


def _csv_turn(row: dict[str, str]) -> tuple[datetime, dict[str, Any]]:
    role = _choice(row["role"], ROLES, "role")
    at = parse_time(row["at"])
    turn: dict[str, Any] = {"role": role, "text": _required_text(row["text"], "text"), "at": format_time(at)}
    author = row["author"].strip()
    if role == MODERATOR:
        turn["author"] = _required_text(author, "author (required on moderator rows)")
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
            "outcome": "moderator_resolved" if handoff_at else "bot_resolved",
            "handoff": {"at": handoff_at, "reasons": list(CSV_HANDOFF_REASONS)} if handoff_at else None,
            "faq_ids": [], "approved_qa": []}


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
            row = dict(zip(names, values, strict=True))
            try:
                cid = _required_text(row["conversation_id"], "conversation_id").strip()
                channel = _choice(row["channel"], CHANNELS, "channel")
                lang = _choice(row["lang"], LANGS, "lang")
                at, turn = _csv_turn(row)
                conversation = conversations.setdefault(cid, _CsvConversation(line, channel, lang))
                if (channel, lang) != (conversation.channel, conversation.lang):
                    raise ValueError(f"channel/lang {channel}/{lang} differ from the conversation's first row "
                                     f"(line {conversation.line}: {conversation.channel}/{conversation.lang})")
                if any(format_time(other) == turn["at"] for other, _l, _t in conversation.turns):
                    raise ValueError(f"two turns of conversation {cid} at the same second {turn['at']}")
                conversation.turns.append((at, line, turn))
            except ValueError as exc:
                problems.append(f"{where}: {exc}")
    if problems:
        raise InputError(problems)
    return [(c.line, _csv_record(cid, c)) for cid, c in conversations.items()]


def read_input(path: Path) -> list[tuple[int, dict[str, Any]]]:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".json"):
        return read_jsonl(path)
    if suffix == ".csv":
        return read_csv(path)
    raise InputError([f"{path}: unknown input type {suffix!r}; expected .jsonl or .csv"])


# --- redaction ------------------------------------------------------------------------------
def short_display_name(name: str, lang: str) -> str:
    """At most the first name and the surname's initial ("Marek Kowalski" -> "Marek K.")."""
    text, counts = redact_with_counts(name)
    words = [w for w in text.split() if any(ch.isalpha() for ch in w)]
    if sum(counts.values()) or not words or "[" in text:
        return GUEST[lang]
    if len(words) == 1:
        return words[0]
    initial = next(ch for ch in words[1] if ch.isalpha())
    return f"{words[0]} {initial.upper()}."


def redact_record(record: dict[str, Any], counts: Counter[str]) -> dict[str, Any]:
    """A copy of ``record`` with every text redacted and the display name shortened."""
    name = record["customer"]["display_name"]
    customer = "" if name in GUEST.values() else name

    def clean(text: str, role: str) -> str:
        out, found = redact_with_counts(text, customer, role)
        counts.update(found)
        return out

    turns = [{**t, "text": clean(t["text"], t["role"])} for t in record["turns"]]
    quoted = " ".join(t["text"] for t in turns if t["role"] == "customer")
    approved = []
    for j, pair in enumerate(record["approved_qa"]):
        question = clean(pair["question"], "customer")
        if question not in quoted:
            raise ValueError(f"approved_qa {j}: after redaction the question is no longer quoted from a customer turn")
        approved.append({**pair, "question": question, "answer": clean(pair["answer"], MODERATOR)})
    return {**record, "customer": {"display_name": short_display_name(name, record["lang"])},
            "turns": turns, "approved_qa": approved}


# --- ids and writing ------------------------------------------------------------------------
def highest_id(out: Path) -> int:
    """The highest conv-NNNNNN number in the output file, 0 when there is none."""
    if not out.exists():
        return 0
    highest, problems = 0, []
    for n, line in enumerate(out.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            cid = json.loads(line).get("id", "")
        except (json.JSONDecodeError, AttributeError):
            problems.append(f"{out}:{n}: the output file has a line that is not a JSON object")
            continue
        match = ID_RE.match(cid) if isinstance(cid, str) else None
        if match:
            highest = max(highest, int(match.group(1)))
    if problems:
        raise InputError(problems)
    return highest


def build(records: list[tuple[int, dict[str, Any]]], source: Path, first_id: int) -> Imported:
    """Redact and number the records; repeated source ids (approval appends) share their new id."""
    imported = Imported()
    new_ids: dict[str, str] = {}
    previous: dict[str, dict[str, Any]] = {}
    problems = []
    for line, record in records:
        source_id = record["id"]
        if source_id not in new_ids:
            number = first_id + len(new_ids)
            if number > MAX_ID:
                raise InputError([f"{source}:{line}: id conv-{number} would have more than six digits"])
            new_ids[source_id] = f"{ID_PREFIX}{number:06d}"
        try:
            redacted = {**redact_record(record, imported.counts), "id": new_ids[source_id]}
        except ValueError as exc:
            problems.append(f"{source}:{line}: {exc}")
            continue
        redacted = {key: redacted[key] for key in TOP_KEYS}
        earlier = previous.get(source_id)
        if earlier is not None and not _only_adds_pairs(earlier, redacted):
            problems.append(f"{source}:{line}: repeats conversation {source_id} with changes other than "
                            "added approved pairs")
        previous[source_id] = redacted
        imported.records.append(redacted)
        imported.source_ids.append(source_id)
    if problems:
        raise InputError(problems)
    return imported


def _only_adds_pairs(old: dict[str, Any], new: dict[str, Any]) -> bool:
    rest_old = {k: v for k, v in old.items() if k != "approved_qa"}
    rest_new = {k: v for k, v in new.items() if k != "approved_qa"}
    old_qa, new_qa = old["approved_qa"], new["approved_qa"]
    return rest_old == rest_new and len(new_qa) > len(old_qa) and new_qa[: len(old_qa)] == old_qa


def append_atomically(out: Path, lines: list[str]) -> None:
    """The output with ``lines`` appended, written beside it and renamed over it."""
    existing = out.read_bytes() if out.exists() else b""
    if existing and not existing.endswith(b"\n"):
        raise InputError([f"{out}: the last line has no newline (a broken earlier write?); not appending"])
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(existing + "".join(lines).encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        if out.exists():
            os.chmod(tmp, out.stat().st_mode & 0o777)
        os.replace(tmp, out)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def summary(imported: Imported, out: Path) -> str:
    ids = [r["id"] for r in imported.records]
    span = f" as {min(ids)}..{max(ids)}" if ids else ""
    kinds = ", ".join(f"{kind} {imported.counts.get(kind, 0)}" for kind in KINDS)
    conversations = len(set(ids))
    return (f"imported {conversations} conversations ({len(ids)} lines, {imported.turns} turns){span} into {out}\n"
            f"redactions: {kinds}")


def run(source: Path, out: Path, start_id: int | None = None) -> Imported:
    """Check, redact and append ``source`` to ``out``; InputError (nothing written) on any problem."""
    records = read_input(source)
    first_id = max(highest_id(out) + 1, start_id or 1)
    imported = build(records, source, first_id)
    append_atomically(out, [json.dumps(r, ensure_ascii=False) + "\n" for r in imported.records])
    return imported


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.archive_import", description=__doc__.split("\n\n")[0]
                                     if __doc__ else None)
    parser.add_argument("input", type=Path, help="chats to import: .jsonl (archive format) or .csv (one turn a row)")
    parser.add_argument("--out", type=Path, required=True, help="archive file to append to")
    parser.add_argument("--start-id", type=int, default=None,
                        help="first conv number to use, if higher than the output file's highest id")
    args = parser.parse_args(argv)
    if args.start_id is not None and not 1 <= args.start_id <= MAX_ID:
        parser.error(f"--start-id must be between 1 and {MAX_ID}")
    if not args.input.is_file():
        print(f"error: {args.input}: no such file", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        imported = run(args.input, args.out, args.start_id)
    except InputError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        print(f"nothing written to {args.out}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(summary(imported, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
