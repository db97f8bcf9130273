"""The learned detectors on small, separable data: thresholds come from the validation rows."""

import numpy as np

from bot.brain.escalation import ROUTINE, EscalationClassifier, routine_threshold, shouting, train_escalation
from bot.brain.off_topic import train_off_topic
from bot.brain.reply_kind import FOLLOW_UP, NEW_QUESTION, REJECTS, THANKS, train_reply_kind

RNG = np.random.default_rng(0)
CENTRES = {name: RNG.normal(size=16) for name in (ROUTINE, "anger", "compensation", REJECTS, FOLLOW_UP,
                                                    NEW_QUESTION, THANKS, "off_topic")}


def encode(texts: list[str]) -> np.ndarray:
    """Each text is "<label> <n>": a point near its label's centre."""
    rows = [CENTRES[t.split()[0]] + 0.3 * np.random.default_rng(int(t.split()[1])).normal(size=16) for t in texts]
    vectors = np.asarray(rows)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def rows(labels: list[str], start: int, n: int) -> tuple[list[str], list[str]]:
    texts = [f"{label} {start + i}" for label in labels for i in range(n)]
    return texts, [t.split()[0] for t in texts]


def test_the_escalation_threshold_keeps_routine_false_alarms_under_the_share_and_names_the_reason() -> None:
    labels = [ROUTINE, "anger", "compensation"]
    training, validation = rows(labels, 0, 40), rows(labels, 1000, 30)
    detector, threshold = train_escalation(training, validation, encode)
    p = detector.probability(*_texts_and_vectors(validation[0]))
    routine = np.asarray(validation[1]) == ROUTINE
    assert (p[routine] >= threshold).mean() <= 0.02 + 1e-9
    assert (p[~routine] >= threshold).mean() >= 0.9
    assert detector.reason(encode(["compensation 5000"])[0]) == "compensation"


def _texts_and_vectors(texts: list[str]) -> tuple[list[str], np.ndarray]:
    return texts, encode(texts)


def test_a_detector_saved_before_the_lexical_part_and_the_vote_still_answers() -> None:
    texts, labels = rows([ROUTINE, "anger"], 0, 20)
    old = EscalationClassifier().fit(texts, encode(texts), labels)
    del old.__dict__["_neighbours"], old.__dict__["_reasons"]  # what an earlier pickle lacks
    assert old.probability(texts[:2], encode(texts[:2])).shape == (2,)
    assert old.reason(encode(texts[:1])[0]) == "complex_or_upset"


def test_replies_to_an_answer_get_their_own_thresholds() -> None:
    labels = [REJECTS, FOLLOW_UP, NEW_QUESTION, THANKS]
    model, reject, follow = train_reply_kind(rows(labels, 0, 30), rows(labels, 2000, 20), encode)
    assert model is not None and 0 < reject < 1 and 0 < follow < 1
    kind = model.kind(encode(["rejects_answer 9999"])[0])
    assert kind.rejects >= reject and kind.rejects > kind.follow_up
    assert train_reply_kind(([], []), ([], []), encode) == (None, 1.01, 1.01)  # no data: off


def test_off_topic_chat_is_told_from_routine_questions() -> None:
    def split(start: int) -> tuple[list[str], list[bool]]:
        texts, labels = rows([ROUTINE, "off_topic"], start, 30)
        return texts, [label == "off_topic" for label in labels]

    model, threshold = train_off_topic(split(0), split(3000), encode)
    assert model is not None
    assert model.probability(encode(["off_topic 7777"]))[0] >= threshold
    assert model.probability(encode(["routine 7777"]))[0] < threshold


def test_shouting_and_the_routine_threshold() -> None:
    loud, calm = shouting(["ODDAJCIE MOJE PIENIADZE!!!", "gdzie jest paczka"]).toarray()
    assert loud[0] == 1.0 and loud[1] == 0.6 and calm.tolist() == [0.0, 0.0]
    assert routine_threshold(np.array([0.1, 0.2, 0.9]), np.array([True, True, False]), 0.0) > 0.2
    assert routine_threshold(np.array([0.5]), np.array([False]), 0.02) == 1.01  # no routine rows: off
