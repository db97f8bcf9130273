"""Retrieval-based intent classification on the public sets BANKING77 and CLINC150.

    python -m bench.eval_public [--embedders minilm,e5,use] [--cache var/bench/embeddings]

Frozen sentence embeddings from ``bot.brain.embeddings``; nothing is fine-tuned. Methods per
embedder: 1-NN and 10-NN (cosine, FAISS ``IndexFlatIP``) and a logistic regression trained
on the frozen vectors (the "light layer"); then the same logistic regression on the
concatenation of all embedders, alone and averaged with a word + character TF-IDF logistic
regression. Every choice (C, mixing weight, oos threshold) is made on held-out train
(BANKING77) or on the validation split (CLINC150), never on test.
Writes bench/results/public.{json,md}; embeddings are cached as .npy under the cache dir.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import platform
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
DEFAULT_CACHE = REPO / "var" / "bench" / "embeddings"
DATA_DIR = Path(os.environ.get("PUBLIC_DATASETS", "/work/shared/datasets"))
DEFAULT_EMBEDDERS = ["minilm", "e5", "use"]
OOS = "oos"
BATCH = 64
SEED = 0
C_GRID = [1.0, 3.0, 10.0, 30.0, 100.0]
TFIDF_C_GRID = [3.0, 10.0, 30.0]
MIX_WEIGHTS = [round(w, 1) for w in np.linspace(0.0, 1.0, 11)]
LATENCY_QUERIES = 300
TARGETS = {"banking77": 93.7, "clinc150_in_scope": 93.5, "clinc150_oos_recall": 60.0}

# ---------------------------------------------------------------------------- data


@dataclass
class Split:
    texts: list[str]
    labels: list[str]

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, idx: Sequence[int]) -> Split:
        return Split([self.texts[i] for i in idx], [self.labels[i] for i in idx])


@dataclass
class Task:
    """``val`` is None for BANKING77; CLINC150's val and test include their oos items."""

    name: str
    train: Split
    test: Split
    val: Split | None = None
    classes: list[str] = field(default_factory=list)


def load_banking77(data_dir: Path = DATA_DIR) -> Task:
    def read(name: str) -> Split:
        with (data_dir / "banking77" / name).open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        return Split([r["text"] for r in rows], [r["category"] for r in rows])

    classes = json.loads((data_dir / "banking77" / "categories.json").read_text(encoding="utf-8"))
    return Task("banking77", read("train.csv"), read("test.csv"), None, sorted(classes))


def load_clinc150(data_dir: Path = DATA_DIR) -> Task:
    """data_full: train is in-scope only (the oos-threshold setting); oos_train is not used."""
    data = json.loads((data_dir / "clinc150" / "data_full.json").read_text(encoding="utf-8"))

    def split(*keys: str) -> Split:
        pairs = [pair for key in keys for pair in data[key]]
        return Split([t for t, _ in pairs], [label for _, label in pairs])

    train = split("train")
    return Task("clinc150", train, split("test", "oos_test"), split("val", "oos_val"), sorted(set(train.labels)))


# ---------------------------------------------------------------------------- embeddings


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


def task_splits(task: Task) -> dict[str, Split]:
    splits = {"train": task.train, "test": task.test}
    if task.val is not None:
        splits["val"] = task.val
    return splits


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


# ---------------------------------------------------------------------------- protocol and labels


@dataclass
class Protocol:
    """Where choices are made: fit on ``train[fit_idx]``, score on ``<dev>[dev_idx]``."""

    fit_idx: np.ndarray
    dev: str
    dev_idx: np.ndarray

    def fits_all(self, n_train: int) -> bool:
        return len(self.fit_idx) == n_train


def label_ids(labels: Sequence[str], classes: Sequence[str]) -> np.ndarray:
    """Class index per label; oos (not a trained class) gets ``len(classes)``."""
    index = {c: i for i, c in enumerate(classes)}
    return np.array([index.get(label, len(classes)) for label in labels], dtype=np.int64)


def make_protocol(task: Task, y_train: np.ndarray, y_val: np.ndarray | None) -> Protocol:
    """BANKING77: 10 % of train held out, stratified, seed 0. CLINC150: the in-scope part of val."""
    from sklearn.model_selection import train_test_split

    everything = np.arange(len(y_train))
    if y_val is None:
        fit_idx, dev_idx = train_test_split(everything, test_size=0.1, stratify=y_train, random_state=SEED)
        return Protocol(np.sort(fit_idx), "train", np.sort(dev_idx))
    return Protocol(everything, "val", np.flatnonzero(y_val < len(task.classes)))


# ---------------------------------------------------------------------------- classifiers


@dataclass
class Scores:
    pred: np.ndarray
    conf: np.ndarray


def from_proba(proba: np.ndarray) -> Scores:
    """LR confidence: the max class probability."""
    return Scores(proba.argmax(axis=1), proba.max(axis=1))


def build_index(vectors: np.ndarray) -> Any:
    import faiss

    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def knn_vote(sims: np.ndarray, neighbours: np.ndarray, n_classes: int) -> np.ndarray:
    """Majority vote; ties go to the class with the larger summed cosine (< 1 vote in total)."""
    rows = np.repeat(np.arange(len(sims)), sims.shape[1])
    votes = np.zeros((len(sims), n_classes))
    np.add.at(votes, (rows, neighbours.ravel()), 1.0 + 1e-3 * sims.ravel())
    return np.asarray(votes.argmax(axis=1))


def knn_scores(index: Any, y_index: np.ndarray, x: np.ndarray, k: int, n_classes: int) -> Scores:
    """NN confidence: the max cosine (the nearest neighbour's similarity)."""
    sims, ids = index.search(np.ascontiguousarray(x, dtype=np.float32), k)
    labels = y_index[ids]
    pred = labels[:, 0] if k == 1 else knn_vote(sims, labels, n_classes)
    return Scores(pred, sims[:, 0].copy())


class EmbeddingLR:
    """The light layer: multinomial logistic regression on frozen (concatenated) embeddings."""

    def __init__(self, c: float) -> None:
        from sklearn.linear_model import LogisticRegression

        self.model = LogisticRegression(C=c, max_iter=3000)

    def fit(self, texts: Sequence[str], x: np.ndarray, y: np.ndarray) -> EmbeddingLR:
        self.model.fit(x, y)
        return self

    def proba(self, texts: Sequence[str], x: np.ndarray) -> np.ndarray:
        return np.asarray(self.model.predict_proba(x))


class TfidfLR:
    """Logistic regression on word 1-2-gram + character 2-5-gram TF-IDF of the raw text."""

    def __init__(self, c: float) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline, make_union

        words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, lowercase=True)
        chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, lowercase=True)
        self.model = make_pipeline(make_union(words, chars), LogisticRegression(C=c, max_iter=3000))

    def fit(self, texts: Sequence[str], x: np.ndarray, y: np.ndarray) -> TfidfLR:
        self.model.fit(list(texts), y)
        return self

    def proba(self, texts: Sequence[str], x: np.ndarray) -> np.ndarray:
        return np.asarray(self.model.predict_proba(list(texts)))


# ---------------------------------------------------------------------------- running methods


@dataclass
class Prepared:
    task: Task
    y: dict[str, np.ndarray]
    protocol: Protocol

    @property
    def n_classes(self) -> int:
        return len(self.task.classes)

    def texts(self, split: str, idx: np.ndarray | None = None) -> list[str]:
        texts = task_splits(self.task)[split].texts
        return texts if idx is None else [texts[i] for i in idx]


@dataclass
class Outcome:
    """Predictions of one method, the choices made on dev, and a single-query classify function."""

    test: Scores
    val: Scores | None
    dev_accuracy: float
    info: dict[str, Any]
    one: Callable[[str, np.ndarray], Any]
    proba: dict[str, np.ndarray] = field(default_factory=dict)


def prepare(task: Task) -> Prepared:
    y = {key: label_ids(split.labels, task.classes) for key, split in task_splits(task).items()}
    return Prepared(task, y, make_protocol(task, y["train"], y.get("val")))


def run_knn(prep: Prepared, feats: dict[str, np.ndarray], k: int) -> Outcome:
    p, n = prep.protocol, prep.n_classes
    dev_index = build_index(feats["train"][p.fit_idx])
    dev = knn_scores(dev_index, prep.y["train"][p.fit_idx], feats[p.dev][p.dev_idx], k, n)
    index, y_index = build_index(feats["train"]), prep.y["train"]
    val = knn_scores(index, y_index, feats["val"], k, n) if "val" in feats else None
    return Outcome(
        test=knn_scores(index, y_index, feats["test"], k, n),
        val=val,
        dev_accuracy=float(np.mean(dev.pred == prep.y[p.dev][p.dev_idx])),
        info={"k": k},
        one=lambda text, v: knn_scores(index, y_index, v, k, n),
    )


def choose_c(prep: Prepared, feats: dict[str, np.ndarray], factory: Callable[[float], Any],
             grid: Sequence[float]) -> tuple[float, dict[str, Any], Any, np.ndarray]:
    """Fit one model per C on the protocol's fit part; keep the best on dev."""
    p = prep.protocol
    fit = (prep.texts("train", p.fit_idx), feats["train"][p.fit_idx], prep.y["train"][p.fit_idx])
    dev_texts, dev_x, dev_y = prep.texts(p.dev, p.dev_idx), feats[p.dev][p.dev_idx], prep.y[p.dev][p.dev_idx]
    best: tuple[float, float, Any, np.ndarray] | None = None
    accuracy, seconds = {}, {}
    for c in grid:
        started = time.perf_counter()
        model = factory(c).fit(*fit)
        seconds[c] = time.perf_counter() - started
        proba = model.proba(dev_texts, dev_x)
        accuracy[c] = float(np.mean(proba.argmax(axis=1) == dev_y))
        if best is None or accuracy[c] > best[1]:
            best = (c, accuracy[c], model, proba)
    assert best is not None
    info = {"C": best[0], "dev_accuracy_by_C": accuracy, "fit_seconds_by_C": seconds}
    return best[0], info, best[2], best[3]


def run_lr(prep: Prepared, feats: dict[str, np.ndarray], factory: Callable[[float], Any],
           grid: Sequence[float]) -> Outcome:
    c, info, model, dev_proba = choose_c(prep, feats, factory, grid)
    info["train_seconds"] = info["fit_seconds_by_C"][c]
    if not prep.protocol.fits_all(len(prep.y["train"])):
        started = time.perf_counter()
        model = factory(c).fit(prep.texts("train"), feats["train"], prep.y["train"])
        info["train_seconds"] = time.perf_counter() - started
    proba = {key: model.proba(prep.texts(key), feats[key]) for key in feats if key != "train"}
    proba["dev"] = dev_proba
    return lr_outcome(prep, proba, info, lambda text, v: model.proba([text], v))


def lr_outcome(prep: Prepared, proba: dict[str, np.ndarray], info: dict[str, Any],
               one: Callable[[str, np.ndarray], Any]) -> Outcome:
    p = prep.protocol
    dev_accuracy = float(np.mean(proba["dev"].argmax(axis=1) == prep.y[p.dev][p.dev_idx]))
    val = from_proba(proba["val"]) if "val" in proba else None
    return Outcome(from_proba(proba["test"]), val, dev_accuracy, info, one, proba)


def run_mix(prep: Prepared, a: Outcome, b: Outcome) -> Outcome:
    """Average two models' probabilities, (1 - w) * a + w * b, with w chosen on dev."""
    dev_y = prep.y[prep.protocol.dev][prep.protocol.dev_idx]
    by_w = {w: float(np.mean(((1 - w) * a.proba["dev"] + w * b.proba["dev"]).argmax(axis=1) == dev_y))
            for w in MIX_WEIGHTS}
    w = max(by_w, key=lambda key: by_w[key])  # first best: ties go to the smaller TF-IDF weight
    proba = {key: (1 - w) * a.proba[key] + w * b.proba[key] for key in a.proba}
    info = {"weight_b": w, "dev_accuracy_by_weight": by_w, "C_a": a.info["C"], "C_b": b.info["C"],
            "train_seconds": a.info["train_seconds"] + b.info["train_seconds"]}

    def one(text: str, v: np.ndarray) -> np.ndarray:
        return np.asarray((1 - w) * a.one(text, v) + w * b.one(text, v))

    return lr_outcome(prep, proba, info, one)


# ---------------------------------------------------------------------------- metrics


def larson_threshold(val: Scores, y: np.ndarray, oos_id: int) -> tuple[float, float]:
    """The threshold with the best val accuracy over all intents, oos as its own class.

    Rejecting the k least confident items is one candidate per distinct confidence; the threshold
    is the midpoint between the k-th and (k+1)-th confidence. Ties go to the lowest threshold.
    """
    order = np.argsort(val.conf, kind="stable")
    conf, y_sorted, correct = val.conf[order], y[order], (val.pred[order] == y[order])
    rejected_right = np.concatenate([[0], np.cumsum(y_sorted == oos_id)])
    accepted_right = correct.sum() - np.concatenate([[0], np.cumsum(correct)])
    accuracy = (rejected_right + accepted_right) / len(y)
    valid = np.concatenate([[True], conf[1:] > conf[:-1], [True]])  # cut between distinct values
    k = int(np.flatnonzero(valid & (accuracy == accuracy[valid].max()))[0])
    if k == 0:
        return float("-inf"), float(accuracy[k])
    if k == len(conf):
        return float("inf"), float(accuracy[k])
    return float((conf[k - 1] + conf[k]) / 2), float(accuracy[k])


def oos_metrics(test: Scores, y: np.ndarray, threshold: float, oos_id: int) -> dict[str, float]:
    final = np.where(test.conf >= threshold, test.pred, oos_id)
    in_scope, said_oos = y != oos_id, final == oos_id
    return {
        "in_scope_accuracy_no_oos": 100 * float(np.mean(test.pred[in_scope] == y[in_scope])),
        "in_scope_accuracy": 100 * float(np.mean(final[in_scope] == y[in_scope])),
        "oos_recall": 100 * float(np.mean(said_oos[~in_scope])),
        "oos_precision": 100 * float(np.mean(~in_scope[said_oos])) if said_oos.any() else float("nan"),
        "accuracy_with_oos": 100 * float(np.mean(final == y)),
    }


def evaluate(prep: Prepared, out: Outcome) -> dict[str, Any]:
    result: dict[str, Any] = {"dev_accuracy": 100 * out.dev_accuracy}
    if out.val is None:
        result["accuracy"] = 100 * float(np.mean(out.test.pred == prep.y["test"]))
        return result
    threshold, val_accuracy = larson_threshold(out.val, prep.y["val"], prep.n_classes)
    result.update({"threshold": threshold, "val_accuracy_with_oos": 100 * val_accuracy})
    result.update(oos_metrics(out.test, prep.y["test"], threshold, prep.n_classes))
    return result


# ---------------------------------------------------------------------------- latency


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


# ---------------------------------------------------------------------------- per task


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


def best_methods(report: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Best method per dataset, chosen on held-out data, and (for reference) the best on test."""
    banking, clinc = report["banking77"], report["clinc150"]
    return {
        "banking77": {"chosen_on_dev": max(banking, key=lambda m: banking[m]["dev_accuracy"]),
                      "best_on_test": max(banking, key=lambda m: banking[m]["accuracy"])},
        "clinc150": {"chosen_on_val": max(clinc, key=lambda m: clinc[m]["val_accuracy_with_oos"]),
                     "best_on_test": max(clinc, key=lambda m: clinc[m]["accuracy_with_oos"])},
    }


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
    }


# ---------------------------------------------------------------------------- report

CITATIONS = """\
- **BANKING77** — Casanueva, Temčinas, Gerz, Henderson, Vulić. 2020. *Efficient Intent Detection with Dual Sentence
  Encoders.* NLP4ConvAI @ ACL 2020, pp. 38–45, arXiv:2003.04807. Data: https://github.com/PolyAI-LDN/task-specific-datasets
  (commit 57ec275). Licence: CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/).
- **CLINC150** (data_full) — Larson, Mahendran, Peper, Clarke, Lee, Hill, Kummerfeld, Leach, Laurenzano, Tang,
  Mars. 2019. *An Evaluation Dataset for Intent Classification and Out-of-Scope Prediction.* EMNLP-IJCNLP 2019,
  https://www.aclweb.org/anthology/D19-1131. Data: https://github.com/clinc/oos-eval (commit 828f809).
  Licence: CC BY 3.0 Unported (https://creativecommons.org/licenses/by/3.0/).

The data are not redistributed here; they were read from a local copy of the files above."""

ANCHORS = """\
Published anchors (from the datasets README): BANKING77 full data — BERT fine-tuned 93.66, USE+ConveRT 93.36
(Casanueva et al. 2020, Table 3). CLINC150 full — BERT 96.9 in-scope / 40.3 oos recall (oos-train) and
96.2 / 52.3 (oos-threshold) (Larson et al. 2019, Table 2).

Reference baselines measured earlier on the same files (datasets README), for checking the 1-NN rows: BANKING77
1-NN on full train — minilm 92.05, e5 90.10, use 88.57; CLINC150 in-scope 1-NN, no oos — 88.02, 88.89, 88.73."""


def fmt(value: float | None, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "–"
    return f"{value:.{digits}f}"


def latency_cell(result: dict[str, Any], key: str) -> str:
    lat = result["latency_ms"][key]
    return f"{lat['median']:.2f} / {lat['p99']:.2f}"


def choice_cell(result: dict[str, Any]) -> str:
    if "weight_b" in result:
        return f"C={result['C_a']:g}, {result['C_b']:g}; w_tfidf={result['weight_b']:g}"
    return f"C={result['C']:g}" if "C" in result else "–"


def banking_table(results: dict[str, Any]) -> list[str]:
    target = TARGETS["banking77"]
    rows = ["| method | held-out acc | **test acc** | target | meets | choice (held-out) | LR train s |",
            "|---|---|---|---|---|---|---|"]
    for method, r in results.items():
        meets = "yes" if r["accuracy"] >= target else "no"
        rows.append(f"| {method} | {fmt(r['dev_accuracy'])} | **{fmt(r['accuracy'])}** | ≥ {target} | {meets} "
                    f"| {choice_cell(r)} | {fmt(r.get('train_seconds'), 1)} |")
    return rows


def clinc_table(results: dict[str, Any]) -> list[str]:
    t_in, t_oos = TARGETS["clinc150_in_scope"], TARGETS["clinc150_oos_recall"]
    rows = ["| method | val acc (oos as class) | threshold | in-scope acc, no oos | **in-scope acc @thr** "
            "| **oos recall** | oos precision | target | meets | choice (val) | LR train s |",
            "|---|---|---|---|---|---|---|---|---|---|---|"]
    for method, r in results.items():
        meets = "yes" if r["in_scope_accuracy"] >= t_in and r["oos_recall"] >= t_oos else "no"
        rows.append(f"| {method} | {fmt(r['val_accuracy_with_oos'])} | {fmt(r['threshold'], 4)} "
                    f"| {fmt(r['in_scope_accuracy_no_oos'])} | **{fmt(r['in_scope_accuracy'])}** "
                    f"| **{fmt(r['oos_recall'])}** | {fmt(r['oos_precision'])} | ≥ {t_in} & ≥ {t_oos} "
                    f"| {meets} | {choice_cell(r)} | {fmt(r.get('train_seconds'), 1)} |")
    return rows


def latency_table(report: dict[str, Any]) -> list[str]:
    rows = ["| method | BANKING77 excl. embedding | BANKING77 incl. embedding | CLINC150 excl. | CLINC150 incl. |",
            "|---|---|---|---|---|"]
    for method, b in report["banking77"].items():
        c = report["clinc150"][method]
        rows.append(f"| {method} | {latency_cell(b, 'embedding_excluded')} | {latency_cell(b, 'embedding_included')} "
                    f"| {latency_cell(c, 'embedding_excluded')} | {latency_cell(c, 'embedding_included')} |")
    return rows


def embedder_table(stats: dict[str, Any]) -> list[str]:
    rows = ["| embedder | sentences/s (batches of 64) | encode one query, median / p99 ms |", "|---|---|---|"]
    for name, s in stats.items():
        one = s["encode_one_ms"]
        rows.append(f"| {name} | {s['sentences_per_s']:.1f} | {one['median']:.2f} / {one['p99']:.2f} |")
    return rows


def intro(report: dict[str, Any]) -> list[str]:
    m = report["meta"]
    combo = "+".join(m["embedders"])
    return [
        "# Public intent benchmarks: BANKING77 and CLINC150", "",
        f"Finished {m['finished']} on {m['machine']}, Python {m['python']}; run time {m['run_seconds'] / 60:.1f} min "
        f"with {m['embedding_files_cached_at_start']} embedding files already cached (a cold cache adds the "
        "encoding of ~37,000 sentences per embedder at the throughputs below); command: `python -m bench.eval_public`."
        f" Load average at start / end: {m['load_average_start'][0]} / {m['load_average_end'][0]} "
        "(the machine was shared, so timings are noisy).", "",
        "Retrieval-based intent classification on **frozen** sentence embeddings. **Nothing was fine-tuned**: "
        "no encoder weight was changed. Methods:", "",
        "- `X/1-NN`, `X/10-NN`: nearest training utterance(s), cosine, FAISS `IndexFlatIP`; 10-NN is a majority "
        "vote (ties: larger summed cosine). OOS confidence: the max cosine.",
        f"- `X/LR` — **the light layer**: multinomial logistic regression (scikit-learn, lbfgs) trained on this "
        f"machine on embedder X's frozen vectors; C from {m['c_grid']}. OOS confidence: the max class probability.",
        f"- `{combo}/LR`: the same light layer on the concatenation of the embedders' L2-normalised vectors.",
        f"- `tfidf/LR`: logistic regression on word 1–2-gram + character 2–5-gram TF-IDF, C from {m['tfidf_c_grid']}.",
        f"- `{combo}/LR + tfidf/LR`: (1 − w)·p_concat + w·p_tfidf, w ∈ {{0, 0.1, …, 1}}.", "",
        "Every choice (C, w, oos threshold) was made on held-out data, never on test. BANKING77 has no validation "
        "split: 10 % of train is held out (stratified, seed 0); choices are fit on the other 90 %, the final model "
        "on all of train. CLINC150: models are fit on the 15,000 in-scope train utterances (oos_train is unused); "
        "C and w are chosen on the in-scope val items; the oos threshold by the Larson et al. rule — the value "
        "with the highest accuracy on val + oos_val over all intents, oos counted as its own class. In-scope test "
        "items rejected as oos count as errors in \"in-scope acc @thr\".", "",
    ]


def best_lines(report: dict[str, Any]) -> list[str]:
    best = report["best"]
    b_name, c_name = best["banking77"]["chosen_on_dev"], best["clinc150"]["chosen_on_val"]
    b, c = report["banking77"][b_name], report["clinc150"][c_name]
    b_met = "met" if b["accuracy"] >= TARGETS["banking77"] else "not met"
    c_met = ("met" if c["in_scope_accuracy"] >= TARGETS["clinc150_in_scope"]
             and c["oos_recall"] >= TARGETS["clinc150_oos_recall"] else "not met")
    return [
        "## Best method per dataset (chosen on held-out data)", "",
        f"- BANKING77: `{b_name}` — test accuracy **{b['accuracy']:.2f}** (target ≥ {TARGETS['banking77']}: "
        f"{b_met}). Best on test, for reference: `{best['banking77']['best_on_test']}`.",
        f"- CLINC150: `{c_name}` — in-scope **{c['in_scope_accuracy']:.2f}**, oos recall **{c['oos_recall']:.2f}**, "
        f"oos precision {fmt(c['oos_precision'])} (target ≥ {TARGETS['clinc150_in_scope']} & ≥ "
        f"{TARGETS['clinc150_oos_recall']}: {c_met}). Best on test (accuracy with oos): "
        f"`{best['clinc150']['best_on_test']}`.", "",
    ]


def markdown(report: dict[str, Any]) -> str:
    lines = intro(report) + best_lines(report)
    lines += ["## BANKING77 (test: 3,080 utterances, 77 intents; top-1 accuracy, %)", ""]
    lines += [*banking_table(report["banking77"]), ""]
    lines += ["## CLINC150 data_full (test: 4,500 in-scope + 1,000 oos; %)", ""]
    lines += [*clinc_table(report["clinc150"]), ""]
    lines += ["## Per-query latency, ms (median / p99, single query, one thread)", "",
              "\"Excl.\" classifies a cached vector (TF-IDF vectorisation is part of the classifier); \"incl.\" "
              f"embeds the query first (every embedder, for concatenations). {LATENCY_QUERIES} queries incl., "
              "1,000 excl., from test.", ""]
    lines += [*latency_table(report), ""]
    lines += ["## Embedders", "", "Throughput: 640 BANKING77 test sentences, backend's default threads "
              "(e5 and use: 1 thread as configured in bot/brain/embeddings.py; minilm: torch default).", ""]
    lines += [*embedder_table(report["embedders"]), ""]
    lines += ["## Anchors", "", ANCHORS, "", "## Datasets, licences and citations", "", CITATIONS, ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedders", default=",".join(DEFAULT_EMBEDDERS))
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    report = run_public(args.cache, [e for e in args.embedders.split(",") if e])
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "public.json").write_text(json.dumps(report, indent=2, allow_nan=True) + "\n")
    (args.out / "public.md").write_text(markdown(report))
    print(f"wrote {args.out / 'public.json'} and {args.out / 'public.md'}", flush=True)


if __name__ == "__main__":
    main()
