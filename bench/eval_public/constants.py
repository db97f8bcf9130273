"""Paths, grids, seeds and targets shared by the public benchmark's modules."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
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
TARGETS = {"banking77": 93.7, "clinc150_in_scope": 95.0, "clinc150_oos_recall": 60.0}
# CLINC150 out-of-scope scoring (oos_methods): the share of in-scope val items a threshold may
# reject, k of the k-th-neighbour cosine and the covariance shrinkage (both chosen on CLINC150 val
# among k ∈ {1, 5, 10} and shrinkage ∈ {0, 0.1, 0.3}), and the feature sets scored: e5 (the
# product's encoder) and the concatenation of all embedders.
OOS_BUDGET = 0.01
OOS_K = 5
MAHALANOBIS_SHRINKAGE = 0.3
_KNN = f"{OOS_K}th-NN cosine"
OOS_SCORES = ["max prob", "energy", _KNN, "Mahalanobis", f"max prob + {_KNN}", "max prob + Mahalanobis"]
OOS_FEATURE_SETS = ["e5", "concat"]
