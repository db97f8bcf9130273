"""Does this message need a person? A learned detector beside the hand-written signals.

The patterns in ``bot.brain.signals`` catch explicit requests and threats; customers
also demand compensation or pile up problems in words no pattern lists. This
logistic regression on the sentence embeddings learns that from labelled
messages (half of ``escalation.jsonl`` and the angry part of ``sentiment.jsonl``)
against routine ones (every FAQ question and the calm labelled messages).
The other half of ``escalation.jsonl`` is kept for measurement.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from bot.brain.linear import probabilities
from bot.brain.sentiment import is_holdout, load_labelled

ESCALATION_C = 4.0
ESCALATION_HOLDOUT = 0.5
ROUTINE_FALSE_ALARMS = 0.01  # share of routine messages allowed to reach a person through this detector
FOLDS = 5


def training_texts(escalation: Path, sentiment: Path, faq_questions: Sequence[str]) -> tuple[list[str], np.ndarray]:
    rows = [json.loads(x) for x in escalation.read_text("utf-8").splitlines() if x.strip()]
    rows = [r for r in rows if not is_holdout(r["text"], ESCALATION_HOLDOUT)]
    labelled = [r for r in load_labelled(sentiment) if not is_holdout(r.text)]
    texts = [r["text"] for r in rows] + [r.text for r in labelled] + list(faq_questions)
    labels = [r["expected"] == "handoff" for r in rows] + [r.negative for r in labelled] + [False] * len(faq_questions)
    return texts, np.asarray(labels)


class EscalationClassifier:
    def __init__(self) -> None:
        self._model = LogisticRegression(C=ESCALATION_C, max_iter=3000, class_weight="balanced")

    def fit(self, vectors: np.ndarray, escalate: np.ndarray) -> EscalationClassifier:
        self._model.fit(vectors, escalate.astype(int))
        return self

    def probability(self, vectors: np.ndarray) -> np.ndarray:
        return probabilities(self._model, vectors)[:, 1]


def train_escalation(texts: list[str], escalate: np.ndarray,
                     encode: Callable[[list[str]], np.ndarray]) -> tuple[EscalationClassifier, float]:
    """The detector and its threshold: out of fold, at most 1% of routine messages pass it."""
    vectors = encode(texts)
    oof = np.zeros(len(texts))
    for train, test in StratifiedKFold(FOLDS, shuffle=True, random_state=0).split(vectors, escalate):
        oof[test] = EscalationClassifier().fit(vectors[train], escalate[train]).probability(vectors[test])
    routine = np.sort(oof[~escalate])
    threshold = float(routine[int(len(routine) * (1 - ROUTINE_FALSE_ALARMS))])
    return EscalationClassifier().fit(vectors, escalate), round(threshold, 3)
