"""``python -m handoff.admin import-canned <yaml>`` / ``export-canned``: canned answers kept in git.

The file::

    canned:
      - shortcut: zwrot
        title: Zwrot towaru
        topic: returns_how          # optional, an FAQ topic id (FAQ_DIR)
        text:
          pl_ty: "Cześć {imie}, ..."
          pl_pan: "Dzień dobry {imie}, ..."
          en: "Hi {name}, ..."

An import checks every entry first and changes nothing when one is wrong (the error names the
entry and the field); it adds and replaces by shortcut, and with ``--replace`` also removes the
answers the file does not have. An export prints that file to standard output.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from pathlib import Path
from typing import Any

import yaml

from bot.core.faq import load_faq
from handoff.canned import Canned, CannedStore, parse
from handoff.errors import BadRequest

MAX_FILE_BYTES = 8 * 1024 * 1024


def read_file(path: Path, topics: Collection[str] | None) -> list[Canned]:
    """Every answer of a canned-answers YAML file; BadRequest naming the entry and the field."""
    if path.stat().st_size > MAX_FILE_BYTES:
        raise BadRequest(f"{path}: larger than {MAX_FILE_BYTES} bytes")
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        raise BadRequest(f"{path}: not YAML: {e}") from None
    entries = data.get("canned") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise BadRequest(f"{path}: expected a mapping with a 'canned' list")
    answers = []
    for number, entry in enumerate(entries, 1):
        try:
            answers.append(parse(entry, topics))
        except ValueError as e:
            raise BadRequest(f"{path}: entry {number}: {e}") from None
    return answers


def known_topics(faq_dir: Path) -> set[str] | None:
    """FAQ topic ids to check against; None (unchecked) when the FAQ directory is not here."""
    return {e.id for e in load_faq(faq_dir)} if faq_dir.is_dir() else None


def dump(answers: list[Canned]) -> str:
    entries: list[dict[str, Any]] = []
    for c in answers:
        entry: dict[str, Any] = {"shortcut": c.shortcut, "title": c.title}
        if c.topic:
            entry["topic"] = c.topic
        entries.append({**entry, "text": c.text})
    return yaml.safe_dump({"canned": entries}, allow_unicode=True, sort_keys=False, width=100)


async def import_file(store: CannedStore, path: Path, faq_dir: Path, replace: bool) -> str:
    answers = await asyncio.to_thread(lambda: read_file(path, known_topics(faq_dir)))
    await store.replace_all(answers, keep_others=not replace)
    return f"imported {len(answers)} canned answers from {path}" + (" (others removed)" if replace else "")


async def export(store: CannedStore) -> str:
    return dump(await store.all()).rstrip("\n")
