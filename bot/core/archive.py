"""The chat archive (``faq_corpus/archive/*.jsonl``; format in FORMAT.md) as retrieval material.

Question and answer pairs an admin approved are retrievable beside the FAQ:
a pair for an existing topic adds a way customers ask it; a pair without a
topic becomes its own entry, tagged with the archive as its source.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bot.core.faq import FaqEntry


def read_conversations(directory: Path) -> Iterator[dict[str, Any]]:
    """The latest version of each conversation: approvals append a copy with more
    ``approved_qa``, in the same file or another one (``approved.jsonl``)."""
    latest: dict[str, dict[str, Any]] = {}
    for path in sorted(Path(directory).glob("*.jsonl")):
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                if line.strip():
                    conversation = json.loads(line)
                    known = latest.get(conversation["id"])
                    if known is None or len(conversation.get("approved_qa", [])) >= len(known.get("approved_qa", [])):
                        latest[conversation["id"]] = conversation
    yield from latest.values()


def approved_entries(directory: Path, faq: list[FaqEntry]) -> list[FaqEntry]:
    """The FAQ with approved archive pairs merged in."""
    by_id = {e.id: e for e in faq}
    extra: dict[str, dict[str, list[str]]] = {}
    new: dict[str, FaqEntry] = {}  # pairs with the same new answer make one entry
    for conversation in read_conversations(directory):
        lang = conversation.get("lang", "pl")
        for n, pair in enumerate(conversation.get("approved_qa", [])):
            if pair.get("faq_id") in by_id:
                extra.setdefault(pair["faq_id"], {}).setdefault(lang, []).append(pair["question"])
                continue
            answer = pair["answer"].strip()
            known = new.get(answer)
            if known is not None:
                asked = (*known.questions.get(lang, ()), pair["question"])
                new[answer] = FaqEntry(known.id, known.title, {**known.questions, lang: asked}, known.answers,
                                       source="archive")
                continue
            entry_id = f"archive:{conversation['id']}:{n}"
            other = "en" if lang == "pl" else "pl"
            answers = {"pl_ty": answer, "pl_pan": answer, "en": answer}
            new[answer] = FaqEntry(entry_id, {lang: pair["question"], other: pair["question"]},
                                   {lang: (pair["question"],), other: ()}, answers, source="archive")
    merged = [
        FaqEntry(e.id, e.title, {lang: e.questions[lang] + tuple(extra.get(e.id, {}).get(lang, ()))
                                 for lang in e.questions}, e.answers, e.source)
        for e in faq
    ]
    return merged + list(new.values())
