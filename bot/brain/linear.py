"""Probabilities of a fitted logistic regression without scikit-learn's per-call checks.

``LogisticRegression.predict_proba`` validates its input on every call (dataframe
detection, finiteness, feature names): for the one message the brain scores at a
time that was most of the classifier's cost (cProfile over 200 dev questions:
validation 1.0 s of the 2.6 s spent ranking topics). The arithmetic is the same as
scikit-learn's (``tests/bot/brain/test_linear.py`` compares them): a sigmoid for two
classes, a softmax for more.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import expit, softmax


def probabilities(model: Any, features: Any) -> np.ndarray:
    """Rows of class probabilities of ``features`` (dense or sparse), columns in ``model.classes_`` order."""
    scores = np.asarray(features @ model.coef_.T) + model.intercept_
    if len(model.classes_) <= 2:
        positive = expit(scores[:, 0])
        return np.column_stack([1.0 - positive, positive])
    return np.asarray(softmax(scores, axis=1))
