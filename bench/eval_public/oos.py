"""Out-of-scope scores on frozen embeddings: higher means "more in scope".

The max class probability of the light layer (``classifiers.from_proba``) is only one way to
say "none of the intents"; these are the other ones known to work with sentence embeddings on
CLINC150: the energy of the logits (Liu et al. 2020), the cosine to the k-th nearest training
utterance (Sun et al. 2022), and the Mahalanobis distance to the nearest class mean under one
shared covariance (Podolskiy et al. 2021). Scores on different scales are combined after
standardising each on the in-scope validation items.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import logsumexp


def energy(logits: np.ndarray) -> np.ndarray:
    """log Σ exp(logit): unlike the max probability, it keeps how large the logits are, not only their gap."""
    return np.asarray(logsumexp(logits, axis=1))


def kth_cosine(index: Any, x: np.ndarray, k: int) -> np.ndarray:
    """Cosine to the k-th nearest training utterance: one stray near neighbour is not enough to look in scope."""
    sims, _ = index.search(np.ascontiguousarray(x, dtype=np.float32), k)
    return np.asarray(sims[:, k - 1])


class Mahalanobis:
    """Minus the Mahalanobis distance to the nearest class mean, one covariance shared by all classes.

    The covariance of the within-class residuals is shrunk towards a multiple of the identity:
    1,280 concatenated dimensions from 15,000 utterances make the raw estimate's small
    eigenvalues noise, and inverting it lets that noise dominate the distance.
    """

    def __init__(self, shrinkage: float) -> None:
        self.shrinkage = shrinkage

    def fit(self, x: np.ndarray, y: np.ndarray, n_classes: int) -> Mahalanobis:
        x = np.asarray(x, dtype=np.float64)
        self.means = np.stack([x[y == c].mean(axis=0) for c in range(n_classes)])
        residuals = x - self.means[y]
        cov = residuals.T @ residuals / len(x)
        target = np.trace(cov) / len(cov) * np.eye(len(cov))
        self.precision = np.linalg.inv((1 - self.shrinkage) * cov + self.shrinkage * target)
        # ||x - m||²_P = x'Px - 2 x'Pm + m'Pm: one matrix product per query instead of one per class
        self.projected_means = self.means @ self.precision
        self.mean_norms = np.einsum("ij,ij->i", self.projected_means, self.means)
        return self

    def score(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        own = np.einsum("ij,ij->i", x @ self.precision, x)
        distances = own[:, None] - 2 * x @ self.projected_means.T + self.mean_norms[None, :]
        return np.asarray(-distances.min(axis=1))


def standardiser(reference: np.ndarray) -> tuple[float, float]:
    """Mean and standard deviation of the in-scope validation scores, so two scores can be added."""
    return float(reference.mean()), float(reference.std()) or 1.0


def mix(a: np.ndarray, b: np.ndarray, w: float, scale_a: tuple[float, float],
        scale_b: tuple[float, float]) -> np.ndarray:
    """(1 − w)·z(a) + w·z(b), each z-scored with its in-scope validation mean and deviation."""
    return (1 - w) * (a - scale_a[0]) / scale_a[1] + w * (b - scale_b[0]) / scale_b[1]
