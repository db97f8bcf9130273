"""bot.brain.linear gives scikit-learn's probabilities without its per-call checks."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression

from bot.brain.linear import probabilities


@pytest.mark.parametrize("classes", [2, 5])
@pytest.mark.parametrize("sparse", [False, True])
def test_same_probabilities_as_scikit_learn(classes: int, sparse: bool) -> None:
    rng = np.random.default_rng(0)
    features = rng.normal(size=(120, 16))
    labels = rng.integers(0, classes, size=120)
    if sparse:
        features[np.abs(features) < 1.0] = 0.0
        features = csr_matrix(features)
    model = LogisticRegression(max_iter=1000).fit(features, labels)
    ours = probabilities(model, features[:7])
    assert ours.shape == (7, classes)
    np.testing.assert_allclose(ours, model.predict_proba(features[:7]), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.sum(axis=1), 1.0)


def test_string_labels_keep_the_models_column_order() -> None:
    rng = np.random.default_rng(1)
    features = rng.normal(size=(60, 4))
    labels = np.array(["zwroty", "dostawa", "platnosci"])[rng.integers(0, 3, size=60)]
    model = LogisticRegression(max_iter=1000).fit(features, labels)
    assert list(model.classes_) == ["dostawa", "platnosci", "zwroty"]
    np.testing.assert_allclose(probabilities(model, features), model.predict_proba(features), rtol=1e-10)
