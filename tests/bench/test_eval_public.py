"""The public-benchmark rules that decide reported figures: oos threshold, metrics, k-NN vote."""

import numpy as np

from bench.eval_public.classifiers import Scores, knn_vote
from bench.eval_public.metrics import budget_threshold, larson_threshold, oos_metrics
from bench.eval_public.oos import Mahalanobis, energy, mix, standardiser

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


def test_budget_threshold_rejects_at_most_the_budgeted_share_of_in_scope_items() -> None:
    conf = np.concatenate([np.linspace(0.1, 1.0, 100), [0.05, 0.5]])
    y = np.array([0] * 100 + [OOS, OOS])
    threshold = budget_threshold(Scores(np.zeros(102, dtype=int), conf), y, OOS, budget=0.02)
    assert np.sum(conf[:100] < threshold) == 2  # the two least confident in-scope items
    assert conf[100] < threshold < conf[101]  # oos items below it are caught, the others not


def test_mahalanobis_prefers_points_along_a_class_spread_to_points_off_it() -> None:
    # Two classes stretched along x; a point far along x is more in scope than one a little off in y.
    rng = np.random.default_rng(0)
    x = np.vstack([rng.normal([0, 0], [3.0, 0.1], (200, 2)), rng.normal([0, 5], [3.0, 0.1], (200, 2))])
    y = np.repeat([0, 1], 200)
    along, off = Mahalanobis(shrinkage=0.0).fit(x, y, 2).score(np.array([[4.0, 0.0], [0.0, 1.0]]))
    assert along > off
    # fully shrunk to a multiple of the identity it is the Euclidean distance again: the order flips
    along, off = Mahalanobis(shrinkage=1.0).fit(x, y, 2).score(np.array([[4.0, 0.0], [0.0, 1.0]]))
    assert along < off


def test_energy_keeps_the_size_of_logits_that_the_max_probability_forgets() -> None:
    # Same softmax (logits shifted by a constant), different evidence.
    logits = np.array([[5.0, 1.0, 1.0], [1.0, -3.0, -3.0]])
    assert energy(logits)[0] > energy(logits)[1]


def test_mix_of_standardised_scores_ignores_each_score_scale() -> None:
    a, b = np.array([0.0, 1.0, 2.0]), np.array([0.0, 100.0, 200.0])
    mixed = mix(a, b, 0.5, standardiser(a), standardiser(b))
    assert np.allclose(mixed, mix(a, b, 0.0, standardiser(a), standardiser(b)))
