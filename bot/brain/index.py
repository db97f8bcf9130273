"""A FAISS index of FAQ questions, stored as immutable versions on disk.

Layout under the index root::

    <root>/<version>/index.faiss   the vectors
    <root>/<version>/rows.jsonl    one {"faq_id", "lang", "text", "source"} per vector
    <root>/<version>/meta.json     embedder, dimension, corpus hash, build time, kind
    <root>/<version>/faq.json      the FAQ entries (answers) the version was built from
    <root>/CURRENT                 the live version's name

A version is written into a temporary folder and renamed into place, and
``CURRENT`` is replaced with ``os.replace``, so a reader never sees half an index.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from bot.brain.embeddings import Embedder

# Below this many vectors exact search is both fast and exact; from it on, HNSW.
APPROX_THRESHOLD = 50_000
HNSW_NEIGHBOURS = 32
HNSW_EF_CONSTRUCTION = 80
# Candidates HNSW examines per query, by index size: e5 vectors are all alike (cosine 0.8
# between unrelated questions), so finding 95% of the true 10 nearest takes a wide search,
# and wider as the index grows (bench/results/faiss.md). Set at every load, never stored.
HNSW_EF_SEARCH: tuple[tuple[int | None, int], ...] = ((250_000, 256), (None, 1024))
CURRENT_FILE = "CURRENT"


class IndexNotFound(FileNotFoundError):
    """No index version is published under the given root."""


@dataclass(frozen=True)
class Row:
    faq_id: str
    lang: str
    text: str
    source: str = "faq"


@dataclass(frozen=True)
class Hit:
    row: Row
    score: float


class VectorIndex:
    def __init__(self, index: Any, rows: list[Row], meta: dict[str, Any]) -> None:
        self._index = index
        self.rows = rows
        self.meta = meta

    @classmethod
    def build(cls, rows: list[Row], vectors: np.ndarray, meta: dict[str, Any]) -> VectorIndex:
        dim = int(vectors.shape[1])
        index: Any
        if len(rows) >= APPROX_THRESHOLD:
            index = faiss.IndexHNSWFlat(dim, HNSW_NEIGHBOURS, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
            kind = "hnsw"
        else:
            index = faiss.IndexFlatIP(dim)
            kind = "flat"
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        _set_search_parameters(index)
        return cls(index, rows, {**meta, "dim": dim, "size": len(rows), "kind": kind})

    def search(self, query: np.ndarray, k: int) -> list[Hit]:
        scores, ids = self._index.search(np.ascontiguousarray(query[None, :], dtype=np.float32), k)
        return [Hit(self.rows[i], float(s)) for s, i in zip(scores[0], ids[0], strict=True) if i >= 0]

    def save(self, root: Path, version: str, extra: dict[str, Any] | None = None, make_live: bool = True) -> Path:
        """Write this index as ``version`` under ``root`` and (unless ``make_live`` is False) make it the live one.

        ``extra`` maps file names to payloads stored beside it: bytes as they are,
        anything else as JSON.
        """
        root.mkdir(parents=True, exist_ok=True)
        target = root / version
        if target.exists():
            raise FileExistsError(f"index version {version!r} already exists in {root}")
        staging = Path(tempfile.mkdtemp(prefix=f".{version}-", dir=root))
        faiss.write_index(self._index, str(staging / "index.faiss"))
        with open(staging / "rows.jsonl", "w", encoding="utf-8") as out:
            for row in self.rows:
                out.write(json.dumps(row.__dict__, ensure_ascii=False) + "\n")
        (staging / "meta.json").write_text(json.dumps(self.meta, indent=2), "utf-8")
        for name, payload in (extra or {}).items():
            if isinstance(payload, bytes):
                (staging / name).write_bytes(payload)
            else:
                (staging / name).write_text(json.dumps(payload, ensure_ascii=False), "utf-8")
        os.rename(staging, target)
        if make_live:
            publish(root, version)
        return target

    @classmethod
    def load(cls, directory: Path) -> VectorIndex:
        meta = json.loads((directory / "meta.json").read_text("utf-8"))
        with open(directory / "rows.jsonl", encoding="utf-8") as rows_file:
            rows = [Row(**json.loads(line)) for line in rows_file]
        index = faiss.read_index(str(directory / "index.faiss"))
        _set_search_parameters(index)
        return cls(index, rows, meta)


def ef_search(size: int) -> int:
    """HNSW's efSearch for an index of ``size`` vectors."""
    return next(ef for limit, ef in HNSW_EF_SEARCH if limit is None or size < limit)


def _set_search_parameters(index: Any) -> None:
    """Set how widely a search looks: the file does not store it, and an index built by an
    older release gets today's setting when it loads."""
    if hasattr(index, "hnsw"):
        index.hnsw.efSearch = ef_search(index.ntotal)


def publish(root: Path, version: str) -> None:
    """Point ``CURRENT`` at ``version`` atomically."""
    fd, tmp = tempfile.mkstemp(prefix=".CURRENT-", dir=root)
    with os.fdopen(fd, "w") as out:
        out.write(version + "\n")
    os.replace(tmp, root / CURRENT_FILE)


def current_version(root: Path) -> str:
    try:
        return (root / CURRENT_FILE).read_text().strip()
    except FileNotFoundError:
        raise IndexNotFound(f"no index published in {root}: run `make index`") from None


def load_current(root: Path) -> VectorIndex:
    return VectorIndex.load(root / current_version(root))


def embed_rows(embedder: Embedder, rows: list[Row], batch: int = 64, progress: bool = False) -> np.ndarray:
    """Embed the rows' texts in batches, optionally with a progress bar."""
    starts: Iterable[int] = range(0, len(rows), batch)
    if progress:
        from tqdm import tqdm

        starts = tqdm(starts, total=(len(rows) + batch - 1) // batch, unit="batch", desc="embedding")
    chunks = [embedder.encode_documents([r.text for r in rows[i : i + batch]]) for i in starts]
    return np.concatenate(chunks) if chunks else np.zeros((0, embedder.dim), dtype=np.float32)


def new_version() -> str:
    """Sortable by time and unique: two builds in the same second get different names."""
    return time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + "-" + secrets.token_hex(3)
