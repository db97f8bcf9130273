"""How alike two questions are: query vectors, a space that spreads them out, the grouping
threshold derived from the FAQ's own questions, and the grouping itself."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import faiss
import numpy as np

from bot.brain.brain import Brain
from bot.brain.conversation import prepared

EMBED_BATCH = 64
# Pairs of the FAQ's own questions at least as similar as the derived threshold are of one
# topic this often (see ``derive_similarity``).
PAIR_PRECISION = 0.7
# Directions shared by every question (style, length, language) that all-but-the-top removes.
TOP_COMPONENTS = 3
MIN_ROWS_PER_COMPONENT = 100  # a small index (the test fixture) is only centred
MAX_THRESHOLD_ROWS = 3000  # per language: pairs grow quadratically


def embed(brain: Brain, texts: Sequence[str], progress: bool = True) -> np.ndarray:
    """Query vectors for ``texts`` in batches, as the brain reads a message."""
    starts: Iterable[int] = range(0, len(texts), EMBED_BATCH)
    if progress:
        from tqdm import tqdm

        starts = tqdm(starts, total=-(-len(texts) // EMBED_BATCH), unit="batch", desc="embedding questions")
    cut = [prepared(t) for t in texts]
    chunks = [np.asarray(brain.embedder.encode_queries(cut[i : i + EMBED_BATCH])) for i in starts]
    return np.concatenate(chunks).astype(np.float32) if chunks else np.zeros((0, brain.embedder.dim), np.float32)


def index_vectors(brain: Brain) -> np.ndarray:
    """The stored vectors of the brain's index, in row order."""
    faiss_index = brain.index._index
    try:
        return np.asarray(faiss_index.reconstruct_n(0, faiss_index.ntotal), dtype=np.float32)
    except RuntimeError:  # an index kind that cannot give its vectors back: embed the rows again
        return embed(brain, [r.text for r in brain.index.rows], progress=False)


@dataclass(frozen=True)
class Space:
    """All-but-the-top (Mu & Viswanath, 2018) fitted on the FAQ's own questions.

    Sentence embeddings share a few dominant directions: with e5 any two Polish questions had a
    cosine of 0.83 (median, different topics) against 0.86 (same topic). Removing the mean and the
    top principal components spreads them out, so one threshold can tell them apart."""

    mean: np.ndarray
    components: np.ndarray

    @classmethod
    def fit(cls, vectors: np.ndarray) -> Space:
        mean = vectors.mean(axis=0)
        keep = min(TOP_COMPONENTS, len(vectors) // MIN_ROWS_PER_COMPONENT)
        components = np.linalg.svd(vectors - mean, full_matrices=False)[2][:keep]
        return cls(mean, components)

    def project(self, vectors: np.ndarray) -> np.ndarray:
        centred = vectors - self.mean
        centred = centred - centred @ self.components.T @ self.components
        return np.ascontiguousarray(centred / np.maximum(np.linalg.norm(centred, axis=1, keepdims=True), 1e-12),
                                    dtype=np.float32)


def _topic_pairs(vectors: np.ndarray, topics: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(similarity, same topic) for every pair of rows."""
    labels = np.asarray(topics)
    upper = np.triu_indices(len(labels), 1)
    return (vectors @ vectors.T)[upper], (labels[:, None] == labels[None, :])[upper]


def precision_threshold(similarities: np.ndarray, same: np.ndarray, precision: float | None = None) -> float:
    """The lowest similarity above which pairs are of one topic at least ``precision`` of the time."""
    precision = PAIR_PRECISION if precision is None else precision
    order = np.argsort(-similarities, kind="stable")
    running = np.cumsum(same[order]) / np.arange(1, len(order) + 1)
    good = np.nonzero(running >= precision)[0]
    if len(good) == 0:
        return float(similarities.max()) if len(similarities) else 1.0
    return float(similarities[order][good[-1]])


def derive_similarity(brain: Brain, space: Space) -> float:
    """The grouping threshold for this brain's embedder, from the brain's own index.

    The FAQ's questions are paraphrases grouped by topic: among pairs of them in one language,
    the threshold is the lowest similarity (in ``space``) where ``PAIR_PRECISION`` of the pairs at
    or above it share a topic. The same rule gives a number on e5's scale and on the hashing
    embedder's; no model's cosine is hard-coded."""
    vectors = space.project(index_vectors(brain))
    rng = np.random.default_rng(0)
    similarities, same = [], []
    for lang in sorted({r.lang for r in brain.index.rows}):
        rows = [n for n, r in enumerate(brain.index.rows) if r.lang == lang and r.source == "faq"]
        if len(rows) > MAX_THRESHOLD_ROWS:
            rows = sorted(rng.choice(rows, MAX_THRESHOLD_ROWS, replace=False).tolist())
        pair_similarity, pair_same = _topic_pairs(vectors[rows], [brain.index.rows[n].faq_id for n in rows])
        similarities.append(pair_similarity)
        same.append(pair_same)
    return precision_threshold(np.concatenate(similarities), np.concatenate(same))


def group_similar(vectors: np.ndarray, similarity: float) -> list[list[int]]:
    """Greedy grouping: the question with the most neighbours at or above ``similarity`` takes
    all its ungrouped neighbours, then the next; every member is that close to its group's seed."""
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    limits, _, ids = index.range_search(np.ascontiguousarray(vectors, dtype=np.float32), similarity)
    neighbours = [{int(j) for j in ids[limits[n] : limits[n + 1]]} | {n} for n in range(len(vectors))]
    grouped: set[int] = set()
    groups = []
    for seed in sorted(range(len(vectors)), key=lambda n: (-len(neighbours[n]), n)):
        if seed not in grouped:
            members = sorted(neighbours[seed] - grouped)
            grouped.update(members)
            groups.append(members)
    return groups
