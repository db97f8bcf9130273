"""Running each method: choices made on held-out data (the protocol), then predictions on val and test."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bench.eval_public.classifiers import Scores, build_index, from_proba, knn_scores
from bench.eval_public.constants import MIX_WEIGHTS, SEED
from bench.eval_public.data import Task, task_splits


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
