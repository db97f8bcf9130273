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


LEARNED = Thresholds(answer=0.7, out_of_scope=0.8, negative=0.7, escalate=0.6, upset=0.5)


@pytest.mark.parametrize("reason", ["compensation", "security_incident", "public_threat"])
def test_the_learned_detector_hands_off_with_the_reason_it_names(reason: str) -> None:
    signals = Signals(**{**CALM_AND_CLEAR, "escalate": 0.65, "escalation_reason": reason})
    assert decide(signals, LEARNED) == ("handoff", [reason])
    assert decide(Signals(**{**CALM_AND_CLEAR, "escalate": 0.55}), LEARNED) == ("answer", ["confident"])


def test_a_first_calm_rejection_of_the_answer_offers_other_topics() -> None:
    signals = Signals(**{**CALM_AND_CLEAR, "rejects_answer": True})
    assert decide(signals, LEARNED) == ("clarify", ["answer_rejected"])


def test_a_calm_rejection_is_not_handed_off_by_how_negative_its_wording_reads() -> None:
    # "nie o to pytałem" reads as negative and as a complaint to the learned detectors
    signals = Signals(**{**CALM_AND_CLEAR, "rejects_answer": True, "negative": 0.8, "escalate": 0.9})
    assert decide(signals, LEARNED) == ("clarify", ["answer_rejected"])


@pytest.mark.parametrize(("context", "reasons"), [
    ({"clarified_before": True}, ["answer_rejected"]),
    ({"rejected_before": True}, ["answer_rejected"]),
    ({"repeated_topic": True}, ["answer_rejected", "repeated_question"]),
    ({"negative": 0.95}, ["answer_rejected", "negative_sentiment"]),
    ({"loud": True}, ["answer_rejected", "negative_sentiment"]),
    ({"human_request": True, "negative": 0.95}, ["human_request"]),
])
def test_a_rejection_goes_to_a_person_after_a_clarification_a_rejection_the_same_topic_or_upset(
        context: dict, reasons: list[str]) -> None:
    signals = Signals(**{**CALM_AND_CLEAR, "rejects_answer": True, **context})
    assert decide(signals, LEARNED) == ("handoff", reasons)


def test_an_upset_customer_never_gets_the_off_topic_reply() -> None:
    assert decide(Signals(confidence=0.9, similarity=0.5, negative=0.6), LEARNED) == ("handoff", ["negative_sentiment"])
    assert decide(Signals(confidence=0.9, similarity=0.5, negative=0.2), LEARNED) == ("clarify", ["out_of_scope"])


def test_two_upset_messages_in_a_row_go_to_a_person() -> None:
    assert decide(Signals(**{**CALM_AND_CLEAR, "negative": 0.6, "upset_before": True}), LEARNED) == \
        ("handoff", ["negative_sentiment"])
    assert decide(Signals(**{**CALM_AND_CLEAR, "negative": 0.6}), LEARNED) == ("answer", ["confident"])


def test_a_second_unclear_message_after_a_clarification_goes_to_a_person() -> None:
    signals = Signals(confidence=0.55, similarity=0.9, clarified_before=True)
    assert decide(signals, LEARNED) == ("handoff", ["low_confidence", "second_attempt"])


def test_the_learned_off_topic_detector_yields_to_a_stored_question_that_is_clearly_the_nearest() -> None:
    t = Thresholds(answer=0.7, out_of_scope=0.8, negative=0.7, off_topic=0.6)
    assert decide(Signals(**{**CALM_AND_CLEAR, "off_topic": 0.9}), t) == ("clarify", ["out_of_scope"])
    new_entry = Signals(**{**CALM_AND_CLEAR, "off_topic": 0.9, "near_duplicate": True})
    assert decide(new_entry, t) == ("answer", ["confident"])  # an admin's entry added after training
