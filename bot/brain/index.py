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

# Below this many vectors exact search is both fast and exact; from it on HNSW, and from
# ``IVF_FROM`` an inverted file. Measured on e5-like vectors (bench/results/faiss.md): at 100,000
# HNSW finds 0.98 of the 10 nearest in 1.5-1.7 ms on a quiet core, the inverted file 0.955 in
# about 4 times that; at 1,000,000 HNSW stops at 0.92 (9.3 ms) where the inverted file reaches 0.95.
APPROX_THRESHOLD = 50_000
IVF_FROM = 250_000
HNSW_NEIGHBOURS = 32
HNSW_EF_CONSTRUCTION = 80
# From ``IVF_FROM`` on: an inverted file (k-means cells, a query scans its nearest ones) over
# 8-bit scalar-quantized vectors, whose candidates are re-scored with the exact vectors. On e5-like
# vectors at a million (bench/results/faiss.md) it reaches recall@10 0.95 where HNSW (M=32,
# efConstruction=80) stopped at 0.92 for the same time per query, and builds in a quarter of
# HNSW's time (about 220 s against 755 s). Measured alternatives are listed there.
IVF_KIND = "ivf-sq8-refine"
IVF_LISTS_PER_ROOT = 4  # cells: 4·sqrt(size) rounded to a power of two (1,024 at 100k, 4,096 at 1M)
IVF_TRAIN_PER_LIST = 64  # k-means trains on 64 vectors per cell, drawn with a fixed seed
IVF_MIN_PER_LIST = 39  # fewer training vectors per cell than this and k-means is unreliable (FAISS warns)
# Share of the cells a query scans, by index size: e5 vectors are all alike (cosine 0.8 between
# unrelated questions), so the 10 nearest lie in many cells. 1/4 gave recall@10 0.954 at 100k
# (1,024 cells); at 1M (4,096 cells) 3/16 gave 0.951. Set at every load, never stored.
IVF_PROBE_SHARE: tuple[tuple[int | None, float], ...] = ((250_000, 1 / 4), (None, 3 / 16))
# 8-bit codes lose almost nothing once re-scored: with twice the candidates re-scored exactly,
# recall equals that of the unquantized inverted file at every share measured.
IVF_REFINE_FACTOR = 2
# HNSW's candidates examined per query, by index size (indexes of earlier releases used HNSW
# at every size from the threshold), set at every load.
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
    def build(cls, rows: list[Row], vectors: np.ndarray, meta: dict[str, Any],
              approx_from: int = APPROX_THRESHOLD, ivf_from: int = IVF_FROM) -> VectorIndex:
        """The index over ``vectors``: exact below ``approx_from`` rows, HNSW below ``ivf_from``,
        an inverted file from it."""
        dim = int(vectors.shape[1])
        data = np.ascontiguousarray(vectors, dtype=np.float32)
        index: Any
        if len(rows) >= ivf_from:
            index, kind = _inverted_file(data), IVF_KIND
        elif len(rows) >= approx_from:
            index, kind = faiss.IndexHNSWFlat(dim, HNSW_NEIGHBOURS, faiss.METRIC_INNER_PRODUCT), "hnsw"
            index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        else:
            index, kind = faiss.IndexFlatIP(dim), "flat"
        index.add(data)
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
    """HNSW's efSearch for an index of ``size`` vectors (indexes of kind "hnsw")."""
    return next(ef for limit, ef in HNSW_EF_SEARCH if limit is None or size < limit)


def ivf_lists(size: int) -> int:
    """How many cells an inverted file over ``size`` vectors gets."""
    lists = int(2 ** round(np.log2(IVF_LISTS_PER_ROOT * np.sqrt(max(size, 1)))))
    return max(1, min(lists, size // IVF_MIN_PER_LIST))


def ivf_probes(size: int, lists: int) -> int:
    """How many of ``lists`` cells a query scans in an index of ``size`` vectors."""
    share = next(s for limit, s in IVF_PROBE_SHARE if limit is None or size < limit)
    return max(1, min(lists, round(share * lists)))


def _inverted_file(data: np.ndarray) -> Any:
    """A trained, still empty inverted file for ``data``, trained on a sample of it drawn with a
    fixed seed (FAISS's k-means is seeded too), so the same vectors always give the same index."""
    size, dim = data.shape
    lists = ivf_lists(size)
    coarse = faiss.IndexFlatIP(dim)
    # (FAISS's Python wrappers keep ``coarse`` and ``base`` alive as long as the index that holds them)
    base = faiss.IndexIVFScalarQuantizer(coarse, dim, lists, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT)
    sample_size = min(size, IVF_TRAIN_PER_LIST * lists)
    chosen = np.sort(np.random.default_rng(0).choice(size, sample_size, replace=False))
    base.train(data if sample_size == size else data[chosen])
    return faiss.IndexRefineFlat(base)


def _set_search_parameters(index: Any) -> None:
    """Set how widely a search looks: the file does not store it, and an index built by an
    older release gets today's setting when it loads."""
    if hasattr(index, "hnsw"):
        index.hnsw.efSearch = ef_search(index.ntotal)
    elif isinstance(index, faiss.IndexRefine):
        index.k_factor = IVF_REFINE_FACTOR
        ivf = faiss.extract_index_ivf(index.base_index)
        ivf.nprobe = ivf_probes(index.ntotal, ivf.nlist)


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
