"""Sentence embeddings of the data sets, cached as .npy per (embedder, exact text list)."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench.eval_public.constants import BATCH
from bench.eval_public.data import Task, task_splits


def cache_path(cache_dir: Path, name: str, texts: Sequence[str]) -> Path:
    digest = hashlib.sha256(json.dumps(list(texts), ensure_ascii=False).encode("utf-8")).hexdigest()
    return cache_dir / f"{name.replace(':', '_').replace('/', '_')}-{digest}.npy"


def embed_cached(embedder: Any, texts: Sequence[str], cache_dir: Path, desc: str = "") -> np.ndarray:
    """Encode in batches of 64 with a progress bar, or load the cached .npy for this exact text list."""
    from tqdm import tqdm

    path = cache_path(cache_dir, embedder.name, texts)
    if path.exists():
        return np.asarray(np.load(path), dtype=np.float32)
    chunks = [
        embedder.encode_queries(texts[i : i + BATCH])
        for i in tqdm(range(0, len(texts), BATCH), desc=f"{embedder.name} {desc}".strip(), unit="batch")
    ]
    vectors = np.ascontiguousarray(np.concatenate(chunks).astype(np.float32))
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npy")
    np.save(tmp, vectors)
    tmp.replace(path)
    return vectors


def embed_task(task: Task, embedder: Any, cache_dir: Path) -> dict[str, np.ndarray]:
    return {
        key: embed_cached(embedder, split.texts, cache_dir, f"{task.name}/{key}")
        for key, split in task_splits(task).items()
    }


def concat_features(parts: Sequence[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    return {key: np.ascontiguousarray(np.hstack([p[key] for p in parts])) for key in parts[0]}


def encode_one(embedders: Sequence[Any], text: str) -> np.ndarray:
    """One query through each embedder, concatenated: the online path of a (concatenated) feature set."""
    if not embedders:
        return np.zeros((1, 0), dtype=np.float32)
    return np.hstack([e.encode_queries([text]) for e in embedders])


def throughput(embedder: Any, texts: Sequence[str]) -> float:
    """Sentences per second, batches of 64, default threading of the backend."""
    embedder.encode_queries(texts[:8])  # load the model and warm up
    started = time.perf_counter()
    for i in range(0, len(texts), BATCH):
        embedder.encode_queries(texts[i : i + BATCH])
    return len(texts) / (time.perf_counter() - started)
