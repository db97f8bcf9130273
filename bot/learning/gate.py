"""The gate before a new index goes live: it must place the regression set no worse.

The regression set is the held-out dev set plus every question an admin has approved
so far (each must still reach its approved answer). A candidate whose top-1 accuracy on
either part falls more than ``TOLERANCE_POINTS`` below the live index's is refused, with
the figures; ``--force`` overrides and is logged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.brain.brain import Brain
from bot.core.archive import read_conversations

TOLERANCE_POINTS = 1.0
DEV_SET = Path("faq_corpus/dev/faq_dev.jsonl")


@dataclass(frozen=True)
class Item:
    text: str
    lang: str
    faq_id: str | None  # an existing topic, or None: then the answer text must match
    answer: str


def regression_set(dev: Path, archive_dirs: list[Path]) -> list[Item]:
    items = []
    with open(dev, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                row = json.loads(line)
                items.append(Item(row["text"], row.get("lang", "pl"), row["faq_id"], ""))
    for directory in archive_dirs:
        if not directory.is_dir():
            continue
        for conversation in read_conversations(directory):
            for pair in conversation.get("approved_qa", []):
                items.append(Item(pair["question"], conversation.get("lang", "pl"), pair.get("faq_id"),
                                  pair["answer"]))
    return items


def _right(brain: Brain, item: Item) -> bool:
    topic, _ = brain.topic(item.text)
    if item.faq_id is not None:
        return topic == item.faq_id
    entry = brain.entries.get(topic)
    return entry is not None and item.answer.strip() in {a.strip() for a in entry.answers.values()}


def accuracy(brain: Brain, items: list[Item]) -> dict[str, Any]:
    """Top-1 accuracy (%) on the dev part and on the approved part."""
    out: dict[str, Any] = {}
    for part, selected in (("dev", [i for i in items if i.answer == ""]),
                           ("approved", [i for i in items if i.answer != ""])):
        right = sum(_right(brain, i) for i in selected)
        out[part] = {"items": len(selected), "top1": round(100.0 * right / len(selected), 2) if selected else None}
    return out


def verdict(live: dict[str, Any], candidate: dict[str, Any], tolerance: float = TOLERANCE_POINTS) -> list[str]:
    """Why the candidate must not go live (empty when it may)."""
    problems = []
    for part in ("dev", "approved"):
        before, after = live[part]["top1"], candidate[part]["top1"]
        if before is not None and after is not None and after < before - tolerance:
            problems.append(f"{part} top-1 fell from {before}% to {after}% "
                            f"({live[part]['items']} -> {candidate[part]['items']} questions)")
    return problems
