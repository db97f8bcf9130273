"""Turning checked input records into archive lines: redacted, display names cut, ids renumbered."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.core.archive_format import CUSTOMER, GUEST, ID_PREFIX, MAX_ID, MODERATOR, TOP_KEYS
from bot.learning.archive_import.validation import InputError
from bot.learning.redact import redact_with_counts


@dataclass
class Imported:
    """Records ready to write, with their source ids, and what redaction did to them."""

    records: list[dict[str, Any]] = field(default_factory=list)
    source_ids: list[str] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def turns(self) -> int:
        return sum(len(r["turns"]) for r in self.records)


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
    quoted = " ".join(t["text"] for t in turns if t["role"] == CUSTOMER)
    approved = []
    for j, pair in enumerate(record["approved_qa"]):
        question = clean(pair["question"], CUSTOMER)
        if question not in quoted:
            raise ValueError(f"approved_qa {j}: after redaction the question is no longer quoted from a customer turn")
        approved.append({**pair, "question": question, "answer": clean(pair["answer"], MODERATOR)})
    return {**record, "customer": {"display_name": short_display_name(name, record["lang"])},
            "turns": turns, "approved_qa": approved}


# --- numbering ------------------------------------------------------------------------------
def build(records: list[tuple[int, dict[str, Any]]], source: Path, first_id: int) -> Imported:
    """Redact and number the records; repeated source ids (approval appends) share their new id."""
    imported = Imported()
    new_ids: dict[str, str] = {}
    previous: dict[str, dict[str, Any]] = {}
    problems = []
    for line, record in records:
        source_id = record["id"]
        if source_id not in new_ids:
            new_ids[source_id] = _new_id(first_id + len(new_ids), source, line)
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


def _new_id(number: int, source: Path, line: int) -> str:
    if number > MAX_ID:
        raise InputError([f"{source}:{line}: id conv-{number} would have more than six digits"])
    return f"{ID_PREFIX}{number:06d}"


def _only_adds_pairs(old: dict[str, Any], new: dict[str, Any]) -> bool:
    rest_old = {k: v for k, v in old.items() if k != "approved_qa"}
    rest_new = {k: v for k, v in new.items() if k != "approved_qa"}
    old_qa, new_qa = old["approved_qa"], new["approved_qa"]
    return rest_old == rest_new and len(new_qa) > len(old_qa) and new_qa[: len(old_qa)] == old_qa
