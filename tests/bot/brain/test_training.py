import json
from pathlib import Path

import numpy as np

from bot.brain.training import answer_threshold, confidence, negative_threshold, out_of_scope_threshold, topic_examples


def test_confidence_is_how_clearly_the_top_topic_wins() -> None:
    probs = np.array([[0.6, 0.2, 0.2], [0.3, 0.3, 0.4]])
    assert np.allclose(confidence(probs), [0.75, 0.4 / 0.7])


def test_answer_threshold_is_the_lowest_that_keeps_answers_right() -> None:
    top = np.array([0.55, 0.6, 0.7, 0.8, 0.9, 0.95])
    right = np.array([False, False, True, True, True, True])
    assert answer_threshold(top, right) == 0.61


def test_negative_threshold_lets_few_calm_messages_through() -> None:
    probabilities = np.linspace(0, 1, 201)
    negative = probabilities > 0.9
    threshold = negative_threshold(probabilities, negative)
    calm = probabilities[~negative]
    assert (calm >= threshold).mean() <= 0.02


def test_out_of_scope_threshold_sits_below_nearly_every_stored_question() -> None:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(100, 8))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    threshold = out_of_scope_threshold(vectors)
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, -1)
    assert (sims.max(axis=1) < threshold).mean() <= 0.03


def test_topic_examples_are_routine_training_messages_about_known_topics(tmp_path: Path) -> None:
    rows = [
        {"text": "a", "expected": "answer", "faq_id": "invoice", "split": "train"},
        {"text": "b", "expected": "answer", "faq_id": "invoice", "split": "validation"},  # never trained on
        {"text": "c", "expected": "handoff", "faq_id": None, "split": "train"},
        {"text": "d", "expected": "answer", "faq_id": "removed_topic", "split": "train"},  # not in the FAQ any more
        {"text": "e", "expected": "answer", "faq_id": "gift_card", "split": "train"},
    ]
    (tmp_path / "messages.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert topic_examples(tmp_path, {"invoice", "gift_card"}) == (["a", "e"], ["invoice", "gift_card"])
    assert topic_examples(tmp_path / "missing", {"invoice"}) == ([], [])
