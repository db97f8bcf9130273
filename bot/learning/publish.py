"""Publishing: build a new index version beside the live one, gate it, switch atomically.

The running action servers notice the new ``CURRENT`` within 2 seconds and load it on a
second thread while the old version keeps answering, so conversations in progress are
never interrupted. The Rasa model is not retrained: what admins approve changes the FAQ
and the index, not Rasa's intents (every question reaches ``action_answer`` anyway), which
is what keeps publishing free of Rasa's ``PUT /model`` pause.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.brain import index as index_store
from bot.brain.brain import load_brain
from bot.brain.build_index import build
from bot.brain.embeddings import load_embedder
from bot.learning.gate import accuracy, regression_set, verdict

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    published: bool
    version: str
    live: dict[str, Any]
    candidate: dict[str, Any]
    problems: list[str]
    forced: bool
    seconds: float


def publish(faq_dir: Path, approved_dir: Path, index_root: Path, embedder_name: str, dev_set: Path,
            force: bool = False, by: str = "", log_file: Path | None = None, progress: bool = True) -> Outcome:
    started = time.perf_counter()
    candidate_dir = build(faq_dir, index_root, embedder_name, progress=progress, archive_dir=approved_dir,
                          make_live=False)
    embedder = load_embedder(embedder_name)
    items = regression_set(dev_set, [approved_dir])
    live = accuracy(load_brain(index_root, embedder, "ty", None), items)
    candidate = accuracy(load_brain(index_root, embedder, "ty", None, version=candidate_dir.name), items)
    problems = verdict(live, candidate)
    published = not problems or force
    if published:
        index_store.publish(index_root, candidate_dir.name)
    outcome = Outcome(published, candidate_dir.name, live, candidate, problems, force and bool(problems),
                      round(time.perf_counter() - started, 1))
    record = {"at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "by": by, **outcome.__dict__}
    if outcome.forced:
        logger.warning("index %s published by force despite: %s", candidate_dir.name, "; ".join(problems))
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        with open(log_file, "a", encoding="utf-8") as out:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return outcome
