"""The public-benchmark rules that decide reported figures: oos threshold, metrics, k-NN vote."""

import numpy as np

from bench.eval_public.classifiers import Scores, knn_vote
from bench.eval_public.metrics import larson_threshold, oos_metrics

OOS = 2


def test_larson_threshold_rejects_exactly_the_unsure_out_of_scope_items() -> None:
    # Two confident right answers, two unsure out-of-scope items predicted as intents.
    val = Scores(pred=np.array([0, 1, 0, 1]), conf=np.array([0.9, 0.8, 0.2, 0.3]))
    threshold, accuracy = larson_threshold(val, np.array([0, 1, OOS, OOS]), OOS)
    assert 0.3 < threshold < 0.8
    assert accuracy == 1.0


def test_oos_metrics_count_wrongly_rejected_in_scope_items_as_errors() -> None:
    test = Scores(pred=np.array([0, 1, 0, 0]), conf=np.array([0.9, 0.4, 0.3, 0.95]))
    metrics = oos_metrics(test, np.array([0, 1, OOS, OOS]), threshold=0.5, oos_id=OOS)
    assert metrics["in_scope_accuracy_no_oos"] == 100.0
    assert metrics["in_scope_accuracy"] == 50.0  # item 1 was right but rejected
    assert metrics["oos_recall"] == 50.0
    assert metrics["oos_precision"] == 50.0


def test_knn_vote_breaks_ties_by_summed_similarity() -> None:
    sims = np.array([[0.9, 0.5, 0.4, 0.3]])
    neighbours = np.array([[1, 0, 0, 1]])
    assert knn_vote(sims, neighbours, 3).tolist() == [1]
