"""Clauses of a customer's message, and which of them report a fault.

A message that reports three things wrong ("the box came open, the charger is
missing, the invoice has the wrong VAT number") is a tangle for a person; one
fault with a question ("the TV has a scratch, how do I report it?") is routine.
Splitting finds the clauses; a logistic regression on the sentence embeddings,
trained on ``faq_corpus/labelled/clauses.jsonl`` (fault statements against
context, questions and greetings, Polish and English), says which report a
fault, so "bateria trzyma 10 minut" counts and "pralka stoi w łazience" does not.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from bot.brain.linear import probabilities
from bot.core.jsonl import read_jsonl
from bot.core.text import fold_diacritics

FAULT_C = 4.0
FOLDS = 5
MAX_CLAUSES = 5
MIN_CLAUSE_WORDS = 2
# Out of fold, the share of calm clauses (context, questions) allowed to look like a fault.
OTHER_FALSE_ALARMS = 0.10
# A tangle: the three clauses most likely to report a fault add up to about two faults or more.
# On the training half of escalation.jsonl and the FAQ dev set no routine message reached it.
TANGLE_FAULTS = 1.8

# Where one statement ends and another begins; run on folded, lower-cased text.
# "i nie", "i nikt", "i brak" start a new clause but keep their words ("i nie ma menu").
_SPLIT = re.compile(
    r"\s*[.!?;,\n()\u2013\u2014]+\s*(?:(?:a|i|oraz|ale|and|plus|also|but|then)\s+)?"
    r"(?:(?:a )?(?:do tego|poza tym|w dodatku|na dodatek|dodatkowo|ponadto|jeszcze|takze|potem|"
    r"na domiar zlego|co wiecej|oprocz tego)\s+)?"
    r"|\s+-\s+"
    r"|\s+(?:a (?:do tego|poza tym|w dodatku|jeszcze|na dodatek|takze|potem|przy tym)|"
    r"poza tym|do tego|w dodatku|na dodatek|dodatkowo|oprocz tego|oraz|i jeszcze|i do tego|i na dodatek|"
    r"ponadto|na domiar zlego|co wiecej|a jakby tego bylo malo|"
    r"and also|and then|and on top of that|and|plus|on top of that|besides|another thing|what'?s more|"
    r"not to mention|as well as)\s+"
    r"|\s+i\s+(?=nie\b|nikt|brak|zadn|w ogole)"
    r"|\s+(?:i|and)\s+",
)


def clauses(text: str) -> list[str]:
    """The statements in ``text``, as typed, at most ``MAX_CLAUSES``; one-word scraps are dropped."""
    folded = fold_diacritics(text).lower()
    source = text if len(folded) == len(text) else folded  # cut the original where folding kept lengths
    parts, start = [], 0
    for match in _SPLIT.finditer(folded):
        parts.append(source[start:match.start()])
        start = match.end()
    parts.append(source[start:])
    kept = [p.strip(" -:\"'") for p in parts]
    return [p for p in kept if len(p.split()) >= MIN_CLAUSE_WORDS][:MAX_CLAUSES]


def load_clauses(path: Path) -> tuple[list[str], np.ndarray]:
    rows = read_jsonl(path)
    return [r["text"] for r in rows], np.asarray([r["label"] == "fault" for r in rows])


class FaultClassifier:
    """p(this clause reports something wrong) from its sentence embedding."""

    def __init__(self, threshold: float = 0.5) -> None:
        self._model = LogisticRegression(C=FAULT_C, max_iter=3000, class_weight="balanced")
        self.threshold = threshold

    def fit(self, vectors: np.ndarray, fault: np.ndarray) -> FaultClassifier:
        self._model.fit(vectors, np.asarray(fault, dtype=int))
        return self

    def probability(self, vectors: np.ndarray) -> np.ndarray:
        return probabilities(self._model, vectors)[:, 1]

    def is_fault(self, vectors: np.ndarray) -> np.ndarray:
        return self.probability(vectors) >= self.threshold


def fault_threshold(probabilities: np.ndarray, fault: np.ndarray) -> float:
    """The probability that at most ``OTHER_FALSE_ALARMS`` of calm clauses reach, out of fold; at least 0.5."""
    calm = np.sort(probabilities[~fault])
    return round(max(0.5, float(calm[int(len(calm) * (1 - OTHER_FALSE_ALARMS))])), 3)


def train_faults(path: Path, encode: Callable[[list[str]], np.ndarray]) -> FaultClassifier:
    texts, fault = load_clauses(path)
    vectors = encode(texts)
    oof = np.zeros(len(texts))
    for train, test in StratifiedKFold(FOLDS, shuffle=True, random_state=0).split(vectors, fault):
        oof[test] = FaultClassifier().fit(vectors[train], fault[train]).probability(vectors[test])
    return FaultClassifier(fault_threshold(oof, fault)).fit(vectors, fault)
