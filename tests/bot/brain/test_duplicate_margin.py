import numpy as np

from bot.brain.training import duplicate_margin


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def test_well_separated_topics_get_a_small_margin() -> None:
    rng = np.random.default_rng(0)
    centres = unit(rng.normal(size=(6, 32)))
    vectors = unit(np.repeat(centres, 8, axis=0) + 0.05 * rng.normal(size=(48, 32)))
    labels = [f"t{i}" for i in range(6) for _ in range(8)]
    margin = duplicate_margin(vectors, labels, floor=0.5)
    assert margin <= 0.12


def test_topics_that_overlap_switch_the_rule_off() -> None:
    rng = np.random.default_rng(1)
    vectors = unit(rng.normal(size=(60, 16)))
    labels = [f"t{i % 5}" for i in range(60)]  # topics unrelated to where questions lie
    assert duplicate_margin(vectors, labels, floor=-1.0) > 1.0
