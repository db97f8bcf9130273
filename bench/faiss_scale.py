"""FAISS at 10 thousand, 100 thousand and 1 million vectors, through the product's own index
code (``bot.brain.index.VectorIndex``, which picks exact or approximate search by size).

Two shapes of 384-d unit vectors (``bench/faiss_vectors.py``): isotropic clumps around 2,000
random centres, and paraphrase families shaped like the product's e5 embeddings of real
questions (their spread measured on the FAQ and the archive, cached under var/bench/). Queries
are held-out members of the indexed clumps or families, as a customer's question would be; the
clumps are also queried from fresh centres, like nothing indexed (what this benchmark did before).

Measured per shape and size: build time, index memory (serialized bytes, and resident growth),
one query at a time on one FAISS thread (as served; median and 99th percentile, repeated),
recall@10 against exact search and how often the best score found is the true best (within
0.005). Writes bench/results/faiss.{json,md}.

    python -m bench.faiss_scale [--sizes 10000 100000 1000000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import datetime
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

from bench import faiss_vectors, report_files
from bench.report_files import RESULTS
from bot.brain import index as index_module
from bot.brain.index import Row, VectorIndex

FAQ, ARCHIVE = Path("faq_corpus/faq"), Path("faq_corpus/archive/demo.jsonl")
QUERIES, TIMED_QUERIES, RECALL_K = 500, 300, 10


def timings(search: Any, queries: np.ndarray, repeats: int) -> tuple[list[float], list[float]]:
    """Medians and 99th percentiles (ms) of each pass over the queries, one at a time."""
    medians, p99s = [], []
    for _ in range(repeats):
        times = []
        for q in queries[:TIMED_QUERIES]:
            started = time.perf_counter()
            search(q)
            times.append((time.perf_counter() - started) * 1000)
        medians.append(statistics.median(times))
        p99s.append(float(np.percentile(times, 99)))
    return medians, p99s


def accuracy(index: VectorIndex, exact: Any, queries: np.ndarray) -> dict[str, float]:
    truth_scores, truth = exact.search(queries, RECALL_K)
    found_scores, found = index._index.search(queries, RECALL_K)
    recall = np.mean([len(set(t) & set(f)) / RECALL_K for t, f in zip(truth, found, strict=True)])
    # what retrieval needs: the best score found is the true best (or within 0.005 of it)
    best = np.mean(found_scores[:, 0] >= truth_scores[:, 0] - 0.005)
    return {"recall_at_10": round(float(recall), 3), "best_score_found": round(float(best), 3)}


def build(data: np.ndarray) -> tuple[VectorIndex, float, float]:
    """The product's index over ``data``, its build seconds and resident growth (MB)."""
    rss = psutil.Process().memory_info().rss
    faiss.omp_set_num_threads(os.cpu_count() or 1)  # building may use every core
    started = time.perf_counter()
    index = VectorIndex.build([Row("t", "pl", "")] * len(data), data, {})
    seconds = time.perf_counter() - started
    return index, seconds, (psutil.Process().memory_info().rss - rss) / 2**20


def measure(data: np.ndarray, query_sets: dict[str, np.ndarray], repeats: int) -> list[dict[str, Any]]:
    """One index over ``data``, searched with each set of queries."""
    index, build_s, rss_mb = build(data)
    exact = faiss.IndexFlatIP(data.shape[1])
    exact.add(data)
    faiss.omp_set_num_threads(1)  # serving: one query at a time
    built = {"vectors": len(data), "kind": index.meta["kind"], "build_seconds": round(build_s, 1),
             "index_bytes": len(faiss.serialize_index(index._index)), "rss_growth_mb": round(rss_mb)}
    rows = []
    for name, queries in query_sets.items():
        medians, p99s = timings(lambda q: index.search(q, RECALL_K), queries, repeats)
        exact_medians, _ = timings(lambda q: exact.search(q[None, :], RECALL_K), queries[:100], repeats)
        rows.append({**built, "queries": name, "search_ms_median": round(statistics.median(medians), 3),
                     "search_ms_median_runs": [round(m, 3) for m in medians],
                     "search_ms_p99": round(statistics.median(p99s), 3), **accuracy(index, exact, queries),
                     "exact_search_ms_median": round(statistics.median(exact_medians), 3)})
    return rows


def shapes(n: int, spread: faiss_vectors.Spread) -> dict[str, tuple[np.ndarray, dict[str, np.ndarray]]]:
    rng = np.random.default_rng(n)
    families, family_queries = faiss_vectors.families(n, QUERIES, rng, spread)
    clumps, clump_queries = faiss_vectors.clumps(n, QUERIES, rng)
    unrelated = faiss_vectors.clumps(QUERIES, QUERIES, rng)[1]  # fresh centres: like nothing indexed
    return {"e5-like families": (families, {"held-out paraphrases": family_queries}),
            "clumps": (clumps, {"held-out members": clump_queries, "fresh centres (as before)": unrelated})}


def fidelity() -> tuple[faiss_vectors.Spread, dict[str, Any]]:
    """The spread measured on real e5 embeddings, and real vs synthetic neighbourhoods at the real size."""
    vectors, topics = faiss_vectors.real_embeddings(FAQ, ARCHIVE)
    spread = faiss_vectors.measure_spread(vectors, topics)
    rng = np.random.default_rng(1)
    real = faiss_vectors.neighbourhood(vectors, np.array(topics), rng)
    synthetic = {}
    for name, share in (("synthetic", faiss_vectors.SUBGROUP_SHARE), ("plain Gaussian families", 0.0)):
        source = faiss_vectors.Families(len(vectors) // faiss_vectors.FAMILY_SIZE, rng, spread, share)
        synthetic[name] = faiss_vectors.neighbourhood(*source.draw(len(vectors)), rng)
    return spread, {"real": real, **synthetic,
                    "real_texts": len(vectors), "real_topics": len(set(topics))}


def machine() -> dict[str, Any]:
    return {"machine": f"{platform.machine()}, {_cpu_name()}, {os.cpu_count()} cores, "
                       f"{round(psutil.virtual_memory().total / 2**30)} GiB, faiss {faiss.__version__}",
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "started": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")}


def _cpu_name() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines() if Path("/proc/cpuinfo").exists() else []:
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def settings() -> dict[str, Any]:
    names = ("APPROX_THRESHOLD", "IVF_FROM", "IVF_KIND", "IVF_LISTS_PER_ROOT", "IVF_TRAIN_PER_LIST",
             "IVF_REFINE_FACTOR", "HNSW_NEIGHBOURS", "HNSW_EF_CONSTRUCTION")
    return {**{name.lower(): getattr(index_module, name) for name in names},
            "ivf_probe_share": ", ".join(f"{share:g} of the cells below {limit:,} vectors" if limit
                                         else f"{share:g} above" for limit, share in index_module.IVF_PROBE_SHARE)}


def markdown(report: dict[str, Any]) -> str:
    fid, s = report["fidelity"], report["index_settings"]
    lines = ["# FAISS at scale (the product's index code)", "",
             f"{report['machine']}; started {report['started']}, load average {report['load_average']} at the start "
             f"and {report['load_average_end']} at the end (other work shares the machine: timings are noisy; "
             f"each median is the median of {report['repeats']} passes, runs listed in faiss.json). "
             "Command: `make bench-faiss`. One query at a time, one FAISS thread; recall@10 against exact search.", "",
             f"Index: exact inner product below {s['approx_threshold']:,} vectors; HNSW (M={s['hnsw_neighbours']}, "
             f"efConstruction={s['hnsw_ef_construction']}, efSearch 256) below {s['ivf_from']:,}; "
             f"from it `{s['ivf_kind']}`: an "
             f"inverted file of {s['ivf_lists_per_root']}·√size cells (rounded to a power of two; k-means on "
             f"{s['ivf_train_per_list']} vectors per cell, fixed seed) over 8-bit scalar-quantized vectors, "
             f"scanning {s['ivf_probe_share']}, its {s['ivf_refine_factor']}×10 best candidates re-scored "
             "with the exact vectors.", "",
             "| vectors | shape | queries | index | build s | memory MB | search median ms | p99 ms | "
             "recall@10 | best score found | exact search median ms |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in report["results"]:
        lines.append(f"| {r['vectors']:,} | {r['shape']} | {r['queries']} | {r['kind']} | {r['build_seconds']} | "
                     f"{r['index_bytes'] / 2**20:.0f} | {r['search_ms_median']} | {r['search_ms_p99']} | "
                     f"{r['recall_at_10']} | {r['best_score_found']} | {r['exact_search_ms_median']} |")
    lines += ["", "Memory is the serialized index (resident growth while building is in faiss.json). "
              f"The e5-like families are drawn from {fid['real_texts']:,} real texts in {fid['real_topics']} topics "
              "(FAQ questions and the archive's customer turns) embedded with e5; at that size, real vs synthetic:", "",
              "| | " + " | ".join(fid["real"]) + " |", "|---|" + "---|" * len(fid["real"])]
    for name in ("real", "synthetic", "plain Gaussian families"):
        lines.append(f"| {name} | " + " | ".join(str(v) for v in fid[name].values()) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    report = {**machine(), "repeats": args.repeats, "index_settings": settings()}
    spread, report["fidelity"] = fidelity()
    results = []
    for n in args.sizes:
        for shape, (data, query_sets) in shapes(n, spread).items():
            for row in measure(data, query_sets, args.repeats):
                results.append({"shape": shape, **row})
                print(json.dumps(results[-1]), flush=True)
        write(report, results)  # after every size: the largest take longest
    print(markdown(report))


def write(report: dict[str, Any], results: list[dict[str, Any]]) -> None:
    report.update(results=results, load_average_end=[round(x, 2) for x in os.getloadavg()])
    report_files.write(RESULTS / "faiss", report, markdown(report))


if __name__ == "__main__":
    main()
