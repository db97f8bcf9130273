from pathlib import Path

import numpy as np
import pytest

from bot.brain.embeddings import HashingEmbedder
from bot.brain.faults import TANGLE_FAULTS, FaultClassifier, clauses, fault_threshold, load_clauses, train_faults
from bot.brain.reading import Reader

CLAUSES = Path(__file__).parents[3] / "faq_corpus" / "labelled" / "clauses.jsonl"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("blat jest pęknięty, brakuje nóżek, a do tego kurier zostawił paczkę pod blokiem",
         ["blat jest pęknięty", "brakuje nóżek", "kurier zostawił paczkę pod blokiem"]),
        ("blat jest pekniety; brakuje nozek oraz instrukcji po polsku",
         ["blat jest pekniety", "brakuje nozek", "instrukcji po polsku"]),
        ("ekran miga i nie ma dźwięku", ["ekran miga", "nie ma dźwięku"]),
        ("The lid is cracked, the jar leaks and on top of that the refund never came.",
         ["The lid is cracked", "the jar leaks", "the refund never came"]),
        ("kamera nie nagrywa - aplikacja się wysypuje", ["kamera nie nagrywa", "aplikacja się wysypuje"]),
    ],
)
def test_clauses_split_on_punctuation_and_connectors_in_both_languages(text: str, expected: list[str]) -> None:
    assert clauses(text) == expected


def test_one_word_scraps_are_not_clauses() -> None:
    assert clauses("brakuje kabla i etui") == ["brakuje kabla"]
    assert clauses("ok.") == []


def test_clause_data_has_both_labels_in_both_languages() -> None:
    texts, fault = load_clauses(CLAUSES)
    assert len(texts) == len(fault) > 400
    assert 0.4 < fault.mean() < 0.6


def test_fault_threshold_lets_few_calm_clauses_through_and_never_drops_below_a_half() -> None:
    fault = np.array([True] * 10 + [False] * 10)
    assert fault_threshold(np.r_[np.full(10, 0.9), np.linspace(0.0, 0.2, 10)], fault) == 0.5
    assert fault_threshold(np.r_[np.full(10, 0.9), np.linspace(0.0, 0.9, 10)], fault) == 0.9


def test_fault_detector_trains_on_the_clause_data() -> None:
    detector = train_faults(CLAUSES, HashingEmbedder().encode_queries)
    assert 0.5 <= detector.threshold < 1.0
    texts, fault = load_clauses(CLAUSES)
    predicted = detector.is_fault(HashingEmbedder().encode_queries(texts))
    assert (predicted == fault).mean() > 0.8  # on its own data, with the test-only hashing embedder


class _Faults(FaultClassifier):
    """Fault probabilities looked up by clause: the tangle rule, without a model."""

    def __init__(self, probabilities: dict[str, float]) -> None:
        super().__init__(0.5)
        self.by_text = probabilities
        self.asked: list[str] = []

    def probability(self, vectors: np.ndarray) -> np.ndarray:
        return np.asarray([self.by_text.get(t, 0.0) for t in self.asked[-len(vectors):]])


class _Embedder(HashingEmbedder):
    def __init__(self, faults: _Faults) -> None:
        super().__init__()
        self.faults = faults

    def encode_queries(self, texts):  # type: ignore[no-untyped-def]
        self.faults.asked.extend(texts)
        return super().encode_queries(texts)


def _brain(probabilities: dict[str, float]) -> Reader:
    faults = _Faults(probabilities)
    reader = Reader.__new__(Reader)
    reader.embedder = _Embedder(faults)
    reader.faults = faults
    return reader


def test_three_reported_faults_are_a_tangle() -> None:
    brain = _brain({"biurko ma pęknięty blat": 0.9, "brakuje nóżek": 0.8, "kurier był niemiły": 0.7})
    assert brain.count_problems("biurko ma pęknięty blat, brakuje nóżek, a kurier był niemiły") >= 2


def test_one_fault_with_a_question_is_routine() -> None:
    brain = _brain({"kubek przyszedł pęknięty": 0.9, "jak to zgłosić?": 0.05})
    assert brain.count_problems("kubek przyszedł pęknięty, jak to zgłosić?") == 1
    brain = _brain({"The mug arrived chipped": 0.9, "how do I report it?": 0.05})
    assert brain.count_problems("The mug arrived chipped, how do I report it?") < 2


def test_clauses_are_not_embedded_when_none_looks_like_a_fault() -> None:
    brain = _brain({"The mug arrived chipped": 0.9, "the handle came off": 0.9, "the box crushed": 0.9})
    # "chipped", "came off" and "crushed" are not fault keywords: the detector is skipped (cost)
    assert brain.count_problems("The mug arrived chipped, the handle came off, the box crushed") == 0


def test_two_clauses_are_not_embedded_one_fault_at_most() -> None:
    reader = _brain({"paczka nie doszła": 0.9, "faktura ma zły NIP": 0.9})
    # two problems in two clauses are the learned escalation detector's (it reads the whole message)
    assert reader.count_problems("paczka nie doszła, a faktura ma zły NIP") == 1
    assert reader.faults.asked == []


def test_two_faults_and_context_fall_short_of_the_tangle() -> None:
    probabilities = {"I ordered a lamp": 0.1, "the shade is dented": 0.8, "the bulb is missing": 0.8}
    assert sum(sorted(probabilities.values())[-3:]) < TANGLE_FAULTS
    assert _brain(probabilities).count_problems("I ordered a lamp, the shade is dented and the bulb is missing") == 1
