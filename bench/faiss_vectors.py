"""Benchmark vectors for FAISS: synthetic clumps, and paraphrase families shaped like real e5 embeddings.

The realistic set is grown from measurements of real questions: the FAQ's questions and the
archive's customer turns, embedded with the product's e5 and grouped by FAQ topic. From them we take
the common direction all e5 vectors share, how far topic centres lie from it (and along which
directions), and how far paraphrases lie from their topic centre (and along which directions). New
families are drawn with those statistics; a query is one more paraphrase of a family, never indexed.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.core.faq import LANGS, load_faq

DIM = 384
CENTRES = 2000
FAMILY_SIZE = 40  # paraphrases per family: the FAQ has 30-70 questions per topic in each language
# Paraphrases come in small groups (a wording, a language) inside a family: SUBGROUP paraphrases
# share an offset carrying SUBGROUP_SHARE of their spread. Without it the synthetic neighbourhoods
# are twice as high-dimensional as the real ones (``neighbourhood``: 35 vs 17 at the real size);
# these two values bring them to 18, the nearest-neighbour cosine from 0.88 to 0.92 (real 0.93).
SUBGROUP, SUBGROUP_SHARE = 3, 0.65
CACHE = Path("var/bench/faiss_real_e5.npz")


def clumps(n: int, queries: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Isotropic clumps around 2,000 random centres (the old benchmark's vectors), and queries from them.

    The old benchmark drew its queries around fresh centres, far from every indexed clump.
    """
    centres = rng.normal(size=(CENTRES, DIM)).astype(np.float32)

    def draw(count: int) -> np.ndarray:
        noise = 0.6 * rng.standard_normal(size=(count, DIM), dtype=np.float32)
        return _unit(centres[rng.integers(0, CENTRES, size=count)] + noise)

    return draw(n), draw(queries)


def _unit(data: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(data / np.linalg.norm(data, axis=1, keepdims=True), dtype=np.float32)


def real_texts(faq_dir: Path, archive: Path) -> tuple[list[str], list[str]]:
    """Texts and their topic: every FAQ question, and customer turns of single-topic conversations."""
    texts: list[str] = []
    topics: list[str] = []
    for entry in load_faq(faq_dir):
        for lang in LANGS:
            texts += entry.questions[lang]
            topics += [entry.id] * len(entry.questions[lang])
    for line in archive.read_text("utf-8").splitlines():
        conversation = json.loads(line)
        if len(conversation["faq_ids"]) != 1:
            continue  # a turn of a many-topic conversation has no single topic
        turns = [t["text"] for t in conversation["turns"] if t["role"] == "customer"]
        texts += turns
        topics += [conversation["faq_ids"][0]] * len(turns)
    return texts, topics


def real_embeddings(faq_dir: Path, archive: Path, cache: Path = CACHE) -> tuple[np.ndarray, list[str]]:
    """The real texts embedded with e5 (cached under var/: a minute or two on two cores)."""
    texts, topics = real_texts(faq_dir, archive)
    key = hashlib.sha256("\n".join(texts).encode()).hexdigest()
    if cache.exists():
        stored = np.load(cache)
        if str(stored["key"]) == key:
            return stored["vectors"], topics
    from bot.brain.embeddings import load_embedder

    embedder = load_embedder("e5", threads=2)
    vectors = np.concatenate([embedder.encode_queries(texts[i : i + 64]) for i in range(0, len(texts), 64)])
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.savez(cache, key=key, vectors=vectors)
    return vectors, topics


@dataclass(frozen=True)
class Spread:
    """How real embeddings spread: a common mean, topic centres around it, paraphrases around those."""

    mean: np.ndarray  # the direction every e5 vector shares
    between: np.ndarray  # (DIM, DIM) factor: centre offset = between @ z
    within: np.ndarray  # (DIM, DIM) factor: paraphrase offset = within @ z
    scale_log_sd: float  # how much topics differ in spread (sd of log per-topic scale)


def _factor(vectors: np.ndarray, values: np.ndarray) -> np.ndarray:
    factor: np.ndarray = (vectors * np.sqrt(np.maximum(values, 0.0))).astype(np.float32)
    return factor


def _between_factor(offsets: np.ndarray, within_cov: np.ndarray) -> np.ndarray:
    """Topic centres' covariance, extended beyond its rank (one fewer than the topics).

    The measured spectrum is extended by a power law fitted to it, along the directions in
    which paraphrases vary once the measured directions are taken out: a million questions
    hold far more families than the FAQ has topics, and they differ in more directions.
    """
    cov = offsets.T @ offsets / (len(offsets) - 1)
    values, vectors = np.linalg.eigh(cov)
    rank = len(offsets) - 1
    values, vectors = values[::-1][:rank], vectors[:, ::-1][:, :rank]
    slope, intercept = np.polyfit(np.log(np.arange(1, rank + 1)), np.log(values), 1)
    rest = np.eye(DIM) - vectors @ vectors.T
    _, tail_vectors = np.linalg.eigh(rest @ within_cov @ rest)
    tail_vectors = tail_vectors[:, ::-1][:, : DIM - rank]
    tail = np.exp(intercept + slope * np.log(np.arange(rank + 1, DIM + 1)))
    return _factor(np.hstack([vectors, tail_vectors]), np.concatenate([values, tail]))


def measure_spread(vectors: np.ndarray, topics: list[str]) -> Spread:
    members: dict[str, list[int]] = defaultdict(list)
    for i, topic in enumerate(topics):
        members[topic].append(i)
    groups = [vectors[ids] for ids in members.values() if len(ids) >= 5]
    centres = np.stack([g.mean(axis=0) for g in groups])
    residuals = np.concatenate([g - c for g, c in zip(groups, centres, strict=True)])
    within_cov = residuals.T @ residuals / (len(residuals) - len(groups))
    values, directions = np.linalg.eigh(within_cov)
    per_topic = [float(((g - c) ** 2).sum(axis=1).mean()) for g, c in zip(groups, centres, strict=True)]
    mean = centres.mean(axis=0)
    return Spread(mean.astype(np.float32), _between_factor(centres - mean, within_cov),
                  _factor(directions, values), float(np.std(np.log(per_topic)) / 2))


class Families:
    """Family centres and spreads drawn once; paraphrases of random families drawn on demand."""

    def __init__(self, count: int, rng: np.random.Generator, spread: Spread, share: float = SUBGROUP_SHARE) -> None:
        self._rng, self._within, self._share = rng, spread.within, share
        self.centres = spread.mean + _draw(spread.between, count, rng)
        self.scales = np.exp(spread.scale_log_sd * rng.standard_normal(count, dtype=np.float32))
        self._groups = max(1, FAMILY_SIZE // SUBGROUP)
        self._offsets = share * _draw(spread.within, count * self._groups, rng)

    def draw(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        family = self._rng.integers(0, len(self.centres), size=n)
        group = family * self._groups + self._rng.integers(0, self._groups, size=n)
        # the group offset and the paraphrase's own noise together keep the measured within-topic spread
        own = np.sqrt(1 - self._share**2) * _draw(self._within, n, self._rng)
        return _unit(self.centres[family] + self.scales[family, None] * (self._offsets[group] + own)), family


def families(n: int, queries: int, rng: np.random.Generator, spread: Spread,
             share: float = SUBGROUP_SHARE) -> tuple[np.ndarray, np.ndarray]:
    """``n`` paraphrases in families of about FAMILY_SIZE, and ``queries`` held-out paraphrases of them.

    ``share=0`` leaves out the small groups: plain Gaussian families, a harder case than real data.
    """
    source = Families(max(1, n // FAMILY_SIZE), rng, spread, share)
    data = np.concatenate([source.draw(min(100_000, n - start))[0] for start in range(0, n, 100_000)])
    return data, source.draw(queries)[0]


def _draw(factor: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    drawn: np.ndarray = rng.standard_normal(size=(count, DIM), dtype=np.float32) @ factor.T
    return drawn


def cosines(vectors: np.ndarray, topics: np.ndarray, rng: np.random.Generator, pairs: int = 20_000) -> dict[str, float]:
    """Mean cosine of random pairs in the same topic and in different topics, and its spread."""
    a, b = rng.integers(0, len(vectors), size=(2, pairs * 20))
    same = topics[a] == topics[b]
    sims = np.einsum("ij,ij->i", vectors[a], vectors[b])
    within, between = sims[same & (a != b)][:pairs], sims[~same][:pairs]
    return {"same_topic": round(float(within.mean()), 3), "same_topic_sd": round(float(within.std()), 3),
            "other_topic": round(float(between.mean()), 3), "other_topic_sd": round(float(between.std()), 3)}


def neighbourhood(vectors: np.ndarray, topics: np.ndarray, rng: np.random.Generator) -> dict[str, float]:
    """Pair cosines, and how close and how high-dimensional each vector's 20 nearest neighbours are.

    The local intrinsic dimensionality (maximum-likelihood estimate over 20 neighbours) is what
    makes approximate search hard: the higher it is, the more alike the neighbours' distances.
    """
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, -np.inf)
    nearest = np.argsort(-sims, axis=1)[:, :20]
    near = np.take_along_axis(sims, nearest, axis=1)
    dist = np.sqrt(np.maximum(2 - 2 * near, 1e-12))
    lid = -1 / np.mean(np.log(dist[:, :19] / dist[:, 19:]), axis=1)
    return {**cosines(vectors, topics, rng), "nearest_cosine": round(float(near[:, 0].mean()), 3),
            "tenth_nearest_cosine": round(float(near[:, 9].mean()), 3),
            "same_topic_in_nearest_10": round(float((topics[nearest[:, :10]] == topics[:, None]).mean()), 3),
            "local_dimensionality": round(float(np.median(lid)), 1)}
