"""FAISS at 10 thousand, 100 thousand and 1 million vectors, through the product's own index
code (``bot.brain.index.VectorIndex``: exact inner product below 50,000 vectors, HNSW above).

Vectors are synthetic: 384-dimensional unit vectors around 2,000 random centres, like the
clumps sentence embeddings form (embedding a million real questions with e5 would take
hours here). Measured per size: build time and vectors per second, one query at a time with
one FAISS thread (as served) median and 99th percentile, recall@10 of HNSW against exact
search and how often the best score it finds is the true best (within 0.005), and the memory
the index takes. Writes bench/results/faiss.{json,md}.

    python -m bench.faiss_scale [--sizes 10000 100000 1000000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path
from typing import Any

import faiss
import numpy as np
import psutil

from bot.brain.index import Row, VectorIndex

RESULTS = Path("bench/results")
DIM, CENTRES, QUERIES, RECALL_QUERIES, RECALL_K = 384, 2000, 500, 200, 10


def vectors(n: int, rng: np.random.Generator) -> np.ndarray:
    centres = rng.normal(size=(CENTRES, DIM)).astype(np.float32)
    data = centres[rng.integers(0, CENTRES, size=n)] + 0.6 * rng.normal(size=(n, DIM)).astype(np.float32)
    data /= np.linalg.norm(data, axis=1, keepdims=True)
    return data


def measure(n: int, rng: np.random.Generator) -> dict[str, Any]:
    data = vectors(n, rng)
    queries = vectors(QUERIES, rng)
    rows = [Row("t", "pl", "")] * n
    rss = psutil.Process().memory_info().rss
    faiss.omp_set_num_threads(os.cpu_count() or 1)  # building may use every core
    started = time.perf_counter()
    index = VectorIndex.build(rows, data, {})
    build_s = time.perf_counter() - started
    index_mb = (psutil.Process().memory_info().rss - rss) / 2**20
    faiss.omp_set_num_threads(1)  # serving: one query at a time
    times = []
    for q in queries:
        t = time.perf_counter()
        index.search(q, 5)
        times.append((time.perf_counter() - t) * 1000)
    exact = faiss.IndexFlatIP(DIM)
    exact.add(data)
    truth_scores, truth = exact.search(queries[:RECALL_QUERIES], RECALL_K)
    found_scores, found = index._index.search(queries[:RECALL_QUERIES], RECALL_K)
    recall = float(np.mean([len(set(t) & set(f)) / RECALL_K for t, f in zip(truth, found, strict=True)]))
    exact_times = []
    for q in queries[:100]:
        t = time.perf_counter()
        exact.search(q[None, :], 5)
        exact_times.append((time.perf_counter() - t) * 1000)
    # what retrieval needs: the best score found is the true best (or within 0.005 of it)
    top_ok = float(np.mean(found_scores[:, 0] >= truth_scores[:, 0] - 0.005))
    return {"vectors": n, "kind": index.meta["kind"], "build_seconds": round(build_s, 2),
            "build_vectors_per_second": round(n / build_s), "search_ms_median": round(statistics.median(times), 3),
            "search_ms_p99": round(float(np.percentile(times, 99)), 3), "recall_at_10": round(recall, 3),
            "best_score_found": round(top_ok, 3), "exact_search_ms_median": round(statistics.median(exact_times), 3),
            "index_memory_mb": round(index_mb)}


def markdown(report: dict[str, Any]) -> str:
    lines = ["# FAISS at scale (the product's index code)", "",
             f"{report['machine']}; command: `python -m bench.faiss_scale` (part of `make bench`). "
             "Synthetic 384-d unit vectors in 2,000 clumps; one query at a time, one FAISS thread.", "",
             "| vectors | index | build s | vectors/s | search median ms | p99 ms | recall@10 vs exact | "
             "best score found | exact search median ms | memory MB |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in report["sizes"]:
        lines.append(f"| {r['vectors']:,} | {r['kind']} | {r['build_seconds']} | {r['build_vectors_per_second']:,} | "
                     f"{r['search_ms_median']} | {r['search_ms_p99']} | {r['recall_at_10']} | "
                     f"{r['best_score_found']} | {r['exact_search_ms_median']} | {r['index_memory_mb']} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    sizes = []
    for n in args.sizes:
        sizes.append(measure(n, rng))
        print(json.dumps(sizes[-1]), flush=True)
    report = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, faiss {faiss.__version__}", "sizes": sizes}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "faiss.json").write_text(json.dumps(report, indent=1) + "\n")
    (RESULTS / "faiss.md").write_text(markdown(report))
    print(markdown(report))


if __name__ == "__main__":
    main()
