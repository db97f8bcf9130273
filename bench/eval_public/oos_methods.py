"""CLINC150 out-of-scope scoring compared at one operating point: a rejection budget on val.

Every row keeps the light layer's intent (the LR's argmax) and changes only the score that
decides "out of scope". Each score's threshold rejects at most ``OOS_BUDGET`` of the in-scope
val items (``metrics.budget_threshold``); mixing weights are chosen on val for the most oos_val
items caught at that budget, and the method is chosen the same way. Test is scored once per row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from bench.eval_public.classifiers import EmbeddingLR, Scores, build_index
from bench.eval_public.constants import MAHALANOBIS_SHRINKAGE, MIX_WEIGHTS, OOS_BUDGET, OOS_K, OOS_SCORES
from bench.eval_public.latency import measure_latency
from bench.eval_public.methods import Prepared
from bench.eval_public.metrics import budget_threshold, oos_metrics
from bench.eval_public.oos import Mahalanobis, energy, kth_cosine, mix, standardiser

# one score per split ("val", "test") and a function scoring one query vector
Score = tuple[dict[str, np.ndarray], Callable[[np.ndarray], np.ndarray]]


def base_scores(prep: Prepared, feats: dict[str, np.ndarray],
                c: float) -> tuple[dict[str, np.ndarray], dict[str, Score]]:
    """The LR's predictions and the single scores: max probability, energy, k-th cosine, Mahalanobis."""
    lr = EmbeddingLR(c).fit([], feats["train"], prep.y["train"]).model
    logits = {key: lr.decision_function(feats[key]) for key in ("val", "test")}
    index = build_index(feats["train"])
    maha = Mahalanobis(MAHALANOBIS_SHRINKAGE).fit(feats["train"], prep.y["train"], prep.n_classes)
    makers: dict[str, Callable[[np.ndarray], np.ndarray]] = {
        "max prob": lambda v: lr.predict_proba(v).max(axis=1),
        "energy": lambda v: energy(lr.decision_function(v)),
        f"{OOS_K}th-NN cosine": lambda v: kth_cosine(index, v, OOS_K),
        "Mahalanobis": maha.score,
    }
    scores = {name: ({key: fn(feats[key]) for key in ("val", "test")}, fn) for name, fn in makers.items()}
    return {key: value.argmax(axis=1) for key, value in logits.items()}, scores


def at_budget(prep: Prepared, pred: np.ndarray, conf: np.ndarray) -> tuple[float, float, float]:
    """(threshold, val oos recall %, val in-scope accuracy % at that threshold)."""
    y, oos = prep.y["val"], prep.n_classes
    threshold = budget_threshold(Scores(pred, conf), y, oos, OOS_BUDGET)
    m = oos_metrics(Scores(pred, conf), y, threshold, oos)
    return threshold, m["oos_recall"], m["in_scope_accuracy"]


def mixed_score(prep: Prepared, pred: np.ndarray, a: Score, b: Score) -> tuple[Score, float]:
    """Max probability mixed with another score, the weight that catches most oos_val at the budget."""
    inside = prep.y["val"] < prep.n_classes
    sa, sb = standardiser(a[0]["val"][inside]), standardiser(b[0]["val"][inside])
    recall = {w: at_budget(prep, pred, mix(a[0]["val"], b[0]["val"], w, sa, sb))[1] for w in MIX_WEIGHTS}
    w = max(recall, key=lambda key: recall[key])  # first best: ties go to the smaller weight
    values = {key: mix(a[0][key], b[0][key], w, sa, sb) for key in ("val", "test")}
    return (values, lambda v: mix(a[1](v), b[1](v), w, sa, sb)), w


def row(prep: Prepared, pred: dict[str, np.ndarray], score: Score, embedders: list[Any],
        feats: dict[str, np.ndarray]) -> dict[str, Any]:
    threshold, val_recall, val_in_scope = at_budget(prep, pred["val"], score[0]["val"])
    result: dict[str, Any] = {"threshold": threshold, "val_oos_recall": val_recall,
                              "val_in_scope_accuracy": val_in_scope}
    result.update(oos_metrics(Scores(pred["test"], score[0]["test"]), prep.y["test"], threshold, prep.n_classes))
    result["latency_ms"] = measure_latency(lambda text, v: score[1](v), embedders, prep.texts("test"), feats["test"])
    return result


def oos_rows(prep: Prepared, name: str, feats: dict[str, np.ndarray], c: float,
             embedders: list[Any]) -> dict[str, Any]:
    """Every score in ``OOS_SCORES`` on one feature set, the LR at the C its ``X/LR`` row chose on val."""
    pred, scores = base_scores(prep, feats, c)
    results = {}
    for label in OOS_SCORES:
        parts = [scores[part] for part in label.split(" + ")]
        score, w = (parts[0], None) if len(parts) == 1 else mixed_score(prep, pred["val"], *parts)
        results[f"{name}/LR, oos: {label}"] = row(prep, pred, score, embedders, feats)
        results[f"{name}/LR, oos: {label}"].update({"C": c, "weight_b": w})
    return results


def chosen_on_val(results: dict[str, Any]) -> str:
    """Most oos_val caught at the budget; then the higher val in-scope accuracy; then the simpler (earlier) row."""
    return max(results, key=lambda m: (results[m]["val_oos_recall"], results[m]["val_in_scope_accuracy"]))
