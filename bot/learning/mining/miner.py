"""The mining run: archived conversations in, FAQ proposals out, the most frequent first."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from bot.brain.brain import Brain
from bot.learning.mining.pairs import mined_pairs, question_focus
from bot.learning.mining.proposals import Proposal, fitting_topic, merge_paraphrases, propose
from bot.learning.mining.similarity import Space, derive_similarity, embed, group_similar, index_vectors

logger = logging.getLogger(__name__)


def mine(conversations: Iterable[dict[str, Any]], brain: Brain, similarity: float | None = None,
         progress: bool = True) -> list[Proposal]:
    """FAQ proposals from archived conversations, the most frequent first.

    ``similarity`` is the grouping threshold, a cosine in the brain's ``Space``; by default
    ``derive_similarity`` takes it from the brain's index."""
    pairs = mined_pairs(list(conversations))
    if not pairs:
        return []
    texts = [question_focus(p.question) for p in pairs]
    vectors = embed(brain, texts, progress)
    space = Space.fit(index_vectors(brain))
    projected = space.project(vectors)
    threshold = derive_similarity(brain, space) if similarity is None else similarity
    logger.info("grouping %d questions at similarity %.3f", len(pairs), threshold)
    topics = [fitting_topic(brain, p, t, v) for p, t, v in zip(pairs, texts, vectors, strict=True)]
    proposals = []
    for lang in sorted({p.lang for p in pairs}):
        rows = [n for n, p in enumerate(pairs) if p.lang == lang]
        for members in group_similar(projected[rows], threshold):
            chosen = [rows[m] for m in members]
            proposals.append(propose(brain, [pairs[n] for n in chosen], [topics[n] for n in chosen],
                                     projected[chosen]))
    return sorted(merge_paraphrases(proposals), key=lambda p: (-p.count, p.id))
