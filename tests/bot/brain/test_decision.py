import pytest

from bot.brain.decision import Signals, Thresholds, decide

T = Thresholds(answer=0.7, out_of_scope=0.8, negative=0.7, problem=0.7)
CALM_AND_CLEAR = {"confidence": 0.9, "similarity": 0.9, "negative": 0.1}


def test_clear_routine_question_is_answered() -> None:
    assert decide(Signals(**CALM_AND_CLEAR), T) == ("answer", ["confident"])


@pytest.mark.parametrize(
    ("signal", "reason"),
    [
        ({"human_request": True}, "human_request"),
        ({"legal_threat": True}, "legal_threat"),
        ({"compensation": True}, "compensation"),
        ({"public_complaint": True}, "public_complaint"),
        ({"negative": 0.95}, "negative_sentiment"),
        ({"problems": 2}, "multiple_problems"),
        ({"repeated_topic": True}, "repeated_question"),
    ],
)
def test_each_escalation_signal_hands_off_even_when_the_answer_is_clear(signal: dict, reason: str) -> None:
    assert decide(Signals(**{**CALM_AND_CLEAR, **signal}), T) == ("handoff", [reason])


def test_all_reasons_are_kept() -> None:
    signals = Signals(**{**CALM_AND_CLEAR, "human_request": True, "negative": 0.99, "legal_threat": True})
    assert decide(signals, T) == ("handoff", ["human_request", "legal_threat", "negative_sentiment"])


def test_low_confidence_first_asks_which_topic() -> None:
    assert decide(Signals(confidence=0.55, similarity=0.9), T) == ("clarify", ["low_confidence"])


def test_second_failed_attempt_goes_to_a_person() -> None:
    signals = Signals(confidence=0.55, similarity=0.9, unresolved_before=True)
    assert decide(signals, T) == ("handoff", ["low_confidence", "second_attempt"])


def test_off_topic_message_is_told_what_the_bot_can_do() -> None:
    assert decide(Signals(confidence=0.99, similarity=0.5), T) == ("clarify", ["out_of_scope"])


def test_empty_message_comes_first() -> None:
    assert decide(Signals(empty=True, human_request=True), T) == ("clarify", ["empty"])


def test_one_problem_is_not_a_tangle() -> None:
    assert decide(Signals(**{**CALM_AND_CLEAR, "problems": 1}), T)[0] == "answer"


def test_learned_detector_calls_a_person_when_no_rule_did() -> None:
    t = Thresholds(answer=0.7, out_of_scope=0.8, negative=0.7, escalate=0.8)
    assert decide(Signals(**{**CALM_AND_CLEAR, "escalate": 0.9}), t) == ("handoff", ["complex_or_upset"])
    assert decide(Signals(**{**CALM_AND_CLEAR, "escalate": 0.5}), t) == ("answer", ["confident"])


def test_learned_detector_adds_nothing_when_a_rule_already_fired() -> None:
    t = Thresholds(answer=0.7, out_of_scope=0.8, negative=0.7, escalate=0.8)
    signals = Signals(**{**CALM_AND_CLEAR, "escalate": 0.9, "legal_threat": True})
    assert decide(signals, t) == ("handoff", ["legal_threat"])
