"""Answer, clarify or hand off: the decision for one customer message."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bot.embeddings import Embedder
from bot.faq import FaqEntry
from bot.index import Hit, VectorIndex, current_version
from bot.language import detect_lang
from bot.replies import reply

logger = logging.getLogger(__name__)

# Longer messages are cut before embedding: the opening carries the question.
MAX_CHARS = 2000
SEARCH_K = 20
CLARIFY_OPTIONS = 3
# Cosine scores mean different things per model; a calibrated value in the
# index metadata wins over these starting points.
DEFAULT_THRESHOLDS = {"e5": 0.86, "use": 0.55, "minilm": 0.5, "hashing": 0.3}


@dataclass(frozen=True)
class Decision:
    decision: str  # "answer" | "clarify" | "handoff"
    faq_id: str | None
    score: float
    reasons: list[str]
    lang: str
    answer: str | None
    options: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def best_per_topic(hits: Sequence[Hit]) -> list[tuple[str, float]]:
    """Collapse question hits into topics, each with its best score, best first."""
    best: dict[str, float] = {}
    for hit in hits:
        if hit.score > best.get(hit.row.faq_id, float("-inf")):
            best[hit.row.faq_id] = hit.score
    return sorted(best.items(), key=lambda item: item[1], reverse=True)


class Brain:
    def __init__(
        self,
        embedder: Embedder,
        index: VectorIndex,
        entries: Sequence[FaqEntry],
        register: str = "ty",
        threshold: float | None = None,
    ) -> None:
        self.embedder = embedder
        self.index = index
        self.entries = {e.id: e for e in entries}
        self.register = register
        calibrated = index.meta.get("threshold")
        self.threshold = threshold or calibrated or DEFAULT_THRESHOLDS.get(embedder.name, 0.5)

    def decide(self, text: str, history: Sequence[str] = ()) -> Decision:
        text = (text or "").strip()[:MAX_CHARS]
        lang = detect_lang(text)
        if not any(ch.isalnum() for ch in text):
            return Decision("clarify", None, 0.0, ["empty"], lang, reply("empty", lang, self.register))
        topics = best_per_topic(self.index.search(self.embedder.encode_queries([text])[0], SEARCH_K))
        if not topics:
            return Decision("clarify", None, 0.0, ["no_match"], lang, reply("clarify", lang, self.register))
        faq_id, score = topics[0]
        if score >= self.threshold:
            answer = self.entries[faq_id].answer(lang, self.register)
            return Decision("answer", faq_id, score, ["retrieval"], lang, answer)
        options = [
            {"faq_id": tid, "title": self.entries[tid].title[lang]} for tid, _ in topics[:CLARIFY_OPTIONS]
        ]
        return Decision(
            "clarify", faq_id, score, ["low_confidence"], lang, reply("clarify", lang, self.register), options
        )


def load_brain(index_root: Path, embedder: Embedder, register: str, threshold: float | None) -> Brain:
    """Load the published index version and the FAQ entries stored with it."""
    directory = index_root / current_version(index_root)
    index = VectorIndex.load(directory)
    if index.meta.get("embedder") != embedder.name:
        raise ValueError(
            f"index {directory} was built with {index.meta.get('embedder')!r}, "
            f"not {embedder.name!r}: rebuild it with `make index` or set EMBEDDER"
        )
    entries = [FaqEntry.from_json(e) for e in json.loads((directory / "faq.json").read_text("utf-8"))]
    logger.info("loaded index %s (%d vectors, %s)", directory.name, len(index.rows), embedder.name)
    return Brain(embedder, index, entries, register, threshold)
