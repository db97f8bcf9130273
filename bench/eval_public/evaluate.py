"""The whole run: every method on every data set, the best per data set, and the run's metadata."""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench.eval_public.classifiers import EmbeddingLR, TfidfLR
from bench.eval_public.constants import (
    C_GRID,
    MAHALANOBIS_SHRINKAGE,
    OOS_BUDGET,
    OOS_FEATURE_SETS,
    OOS_K,
    SEED,
    TARGETS,
    TFIDF_C_GRID,
)
from bench.eval_public.data import Task, load_banking77, load_clinc150, task_splits
from bench.eval_public.embeddings import cache_path, concat_features, embed_task
from bench.eval_public.latency import embedder_stats, measure_latency
from bench.eval_public.methods import Outcome, Prepared, prepare, run_knn, run_lr, run_mix
from bench.eval_public.metrics import evaluate
from bench.eval_public.oos_methods import chosen_on_val, oos_rows


def finish(prep: Prepared, out: Outcome, embedders: Sequence[Any], vectors: np.ndarray) -> dict[str, Any]:
    result = evaluate(prep, out)
    result.update(out.info)
    result["latency_ms"] = measure_latency(out.one, embedders, prep.texts("test"), vectors)
    return result


def log(task: Task, method: str, result: dict[str, Any]) -> None:
    score = result.get("accuracy", result.get("in_scope_accuracy"))
    extra = f" oos recall {result['oos_recall']:.2f}" if "oos_recall" in result else ""
    print(f"[{task.name}] {method}: dev {result['dev_accuracy']:.2f} test {score:.2f}{extra}", flush=True)


def single_methods(prep: Prepared, name: str, feats: dict[str, np.ndarray], model: Any) -> dict[str, Any]:
    """1-NN, 10-NN and the LR light layer on one embedder."""
    outcomes = {f"{name}/{k}-NN": run_knn(prep, feats, k) for k in (1, 10)}
    outcomes[f"{name}/LR"] = run_lr(prep, feats, EmbeddingLR, C_GRID)
    return {method: finish(prep, out, [model], feats["test"]) for method, out in outcomes.items()}


def combined_methods(prep: Prepared, feats: dict[str, np.ndarray], models: dict[str, Any]) -> dict[str, Any]:
    """LR on the concatenated embeddings; TF-IDF LR; and their dev-weighted probability average."""
    combo = "+".join(models)
    concat = run_lr(prep, feats, EmbeddingLR, C_GRID)
    tfidf = run_lr(prep, feats, TfidfLR, TFIDF_C_GRID)
    mixed = run_mix(prep, concat, tfidf)
    return {
        f"{combo}/LR": finish(prep, concat, list(models.values()), feats["test"]),
        "tfidf/LR": finish(prep, tfidf, [], feats["test"]),
        f"{combo}/LR + tfidf/LR": finish(prep, mixed, list(models.values()), feats["test"]),
    }


def run_task(task: Task, models: dict[str, Any], cache_dir: Path) -> dict[str, Any]:
    prep = prepare(task)
    feats = {name: embed_task(task, model, cache_dir) for name, model in models.items()}
    results: dict[str, Any] = {}
    for name, model in models.items():
        results.update(single_methods(prep, name, feats[name], model))
        for method in [m for m in results if m.startswith(f"{name}/")]:
            log(task, method, results[method])
    if len(models) > 1:
        results.update(combined_methods(prep, concat_features(list(feats.values())), models))
        for method in [m for m in results if "/" in m and m.split("/")[0] not in models]:
            log(task, method, results[method])
    return results


def run_oos(task: Task, models: dict[str, Any], cache_dir: Path, results: dict[str, Any]) -> dict[str, Any]:
    """CLINC150's oos scores on e5 and on the concatenation, the LR at the C of the matching ``X/LR`` row."""
    prep = prepare(task)
    feats = {name: embed_task(task, model, cache_dir) for name, model in models.items()}
    combo = "+".join(models)
    sets = {name: ([models[name]], feats[name]) for name in OOS_FEATURE_SETS if name in models}
    if "concat" in OOS_FEATURE_SETS and len(models) > 1:
        sets[combo] = (list(models.values()), concat_features(list(feats.values())))
    rows: dict[str, Any] = {}
    for name, (embedders, x) in sets.items():
        rows.update(oos_rows(prep, name, x, results[f"{name}/LR"]["C"], embedders))
    for method, r in rows.items():
        print(f"[{task.name}] {method}: val oos {r['val_oos_recall']:.1f} test {r['in_scope_accuracy']:.2f} "
              f"/ {r['oos_recall']:.2f}", flush=True)
    return rows


def best_methods(report: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Best method per dataset, chosen on held-out data, and (for reference) the best on test."""
    banking, clinc = report["banking77"], report["clinc150"]
    return {
        "banking77": {"chosen_on_dev": max(banking, key=lambda m: banking[m]["dev_accuracy"]),
                      "best_on_test": max(banking, key=lambda m: banking[m]["accuracy"])},
        "clinc150": {"chosen_on_val": max(clinc, key=lambda m: clinc[m]["val_accuracy_with_oos"]),
                     "best_on_test": max(clinc, key=lambda m: clinc[m]["accuracy_with_oos"])},
    } | ({"clinc150_oos": {"chosen_on_val": chosen_on_val(report["clinc150_oos"])}}
         if report.get("clinc150_oos") else {})


def run_public(cache_dir: Path, embedders: list[str]) -> dict[str, Any]:
    """Run every method on BANKING77 and CLINC150; return the report (JSON-serialisable)."""
    import faiss

    from bot.brain.embeddings import load_embedder

    started, load_start = time.perf_counter(), os.getloadavg()
    faiss.omp_set_num_threads(1)
    models = {name: load_embedder(name) for name in embedders}
    tasks = [load_banking77(), load_clinc150()]
    cached = cache_status(tasks, models, cache_dir)
    report: dict[str, Any] = {"embedders": embedder_stats(models, tasks[0].test.texts), "targets": TARGETS}
    for task in tasks:
        report[task.name] = run_task(task, models, cache_dir)
        if task.val is not None:
            report[f"{task.name}_oos"] = run_oos(task, models, cache_dir, report[task.name])
    report["best"] = best_methods(report)
    report["meta"] = meta(embedders, started, load_start, cached)
    return report


def cache_status(tasks: Sequence[Task], models: dict[str, Any], cache_dir: Path) -> str:
    """How many (embedder, split) embedding files are already cached, as "hits/total"."""
    paths = [cache_path(cache_dir, model.name, split.texts)
             for task in tasks for model in models.values() for split in task_splits(task).values()]
    return f"{sum(path.exists() for path in paths)}/{len(paths)}"


def meta(embedders: Sequence[str], started: float, load_start: tuple[float, float, float],
         cached: str) -> dict[str, Any]:
    return {
        "finished": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "embedding_files_cached_at_start": cached,
        "machine": f"{platform.machine()}, {len(os.sched_getaffinity(0))} cores",
        "python": platform.python_version(),
        "embedders": list(embedders),
        "run_seconds": round(time.perf_counter() - started, 1),
        "load_average_start": [round(x, 2) for x in load_start],
        "load_average_end": [round(x, 2) for x in os.getloadavg()],
        "c_grid": C_GRID,
        "tfidf_c_grid": TFIDF_C_GRID,
        "seed": SEED,
        "oos_budget": OOS_BUDGET,
        "oos_k": OOS_K,
        "mahalanobis_shrinkage": MAHALANOBIS_SHRINKAGE,
    }
