"""Per-query latency on one thread, and the embedders' throughput."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from typing import Any

import numpy as np

from bench.eval_public.constants import LATENCY_QUERIES, SEED
from bench.eval_public.embeddings import encode_one, throughput


@contextmanager
def single_thread() -> Iterator[None]:
    """One thread for FAISS, BLAS/OpenMP (threadpoolctl) and torch while timing single queries."""
    import sys

    import faiss
    from threadpoolctl import threadpool_limits

    torch = sys.modules.get("torch")
    torch_threads = torch.get_num_threads() if torch else 0
    faiss.omp_set_num_threads(1)
    try:
        with threadpool_limits(limits=1):
            if torch:
                torch.set_num_threads(1)
            yield
    finally:
        if torch:
            torch.set_num_threads(torch_threads)


def summary_ms(samples: Sequence[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {"median": round(statistics.median(ordered), 3), "p99": round(p99, 3), "n": len(ordered)}


def time_each(fn: Callable[[int], Any], n: int) -> dict[str, float]:
    for i in range(min(n, 5)):
        fn(i)  # warm-up
    samples = []
    for i in range(n):
        started = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - started) * 1000)
    return summary_ms(samples)


def measure_latency(one: Callable[[str, np.ndarray], Any], embedders: Sequence[Any],
                    texts: Sequence[str], vectors: np.ndarray) -> dict[str, dict[str, float]]:
    """Per query, one thread: classify a cached vector (embedding excluded); embed then classify."""
    sample = np.random.default_rng(SEED).permutation(len(texts))
    with single_thread():
        excluded = time_each(lambda i: one(texts[sample[i]], vectors[sample[i] : sample[i] + 1]), 1000)
        included = time_each(lambda i: one(texts[sample[i]], encode_one(embedders, texts[sample[i]])),
                             LATENCY_QUERIES)
    return {"embedding_excluded": excluded, "embedding_included": included}


def encode_text(model: Any, texts: Sequence[str], i: int) -> np.ndarray:
    return np.asarray(model.encode_queries([texts[i]]))


def embedder_stats(models: dict[str, Any], texts: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Throughput on 640 BANKING77 test sentences; single-query encode latency with one thread."""
    stats = {}
    for name, model in models.items():
        sps = throughput(model, texts[:640])
        with single_thread():
            one = time_each(partial(encode_text, model, texts), LATENCY_QUERIES)
        stats[name] = {"sentences_per_s": round(sps, 1), "encode_one_ms": one}
    return stats
