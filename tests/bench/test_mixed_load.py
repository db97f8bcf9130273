"""The mixed load's pure pieces: the customers' scripts, the question deck and the report's figures."""

import math
import random

from bench.load import latency_summary
from bench.mixed_load import (
    ASK_FOR_PERSON,
    GREETINGS,
    MAX_TURNS,
    MIN_TURNS,
    SMALL_TALK,
    ChannelStats,
    Deck,
    Script,
    format_ms,
    handoff_state,
    new_script,
    overall,
)

QUESTIONS = [f"question {n}" for n in range(50)]


def scripts(count: int, seed: int = 7) -> list[Script]:
    rng = random.Random(seed)
    deck = Deck(QUESTIONS, rng)
    return [new_script(rng, deck) for _ in range(count)]


def test_scripts_open_with_a_greeting_and_stay_within_the_turn_limits() -> None:
    for script in scripts(500):
        assert script.texts[0] in GREETINGS
        assert MIN_TURNS <= len(script.texts) <= MAX_TURNS
        assert all(t in QUESTIONS or t in SMALL_TALK or t in ASK_FOR_PERSON for t in script.texts[1:])


def test_about_one_conversation_in_ten_asks_for_a_person_and_stops_there() -> None:
    made = scripts(2000)
    asking = [s for s in made if s.asks_for_person]
    assert 0.08 < len(asking) / len(made) < 0.12
    for script in made:
        people = [t for t in script.texts if t in ASK_FOR_PERSON]
        assert people == ([script.texts[-1]] if script.asks_for_person else [])


def test_channels_are_about_half_each() -> None:
    rest = sum(s.channel == "rest" for s in scripts(2000))
    assert 900 < rest < 1100


def test_small_talk_is_a_minority_of_the_turns_after_the_greeting() -> None:
    turns = [t for s in scripts(1000) for t in s.texts[1:] if t not in ASK_FOR_PERSON]
    assert 0.1 < sum(t in SMALL_TALK for t in turns) / len(turns) < 0.3


def test_no_question_is_dealt_twice_until_the_deck_is_used_up() -> None:
    deck = Deck(QUESTIONS, random.Random(1))
    first, second = [deck.deal() for _ in QUESTIONS], [deck.deal() for _ in QUESTIONS]
    assert sorted(first) == sorted(QUESTIONS) == sorted(second)
    assert first != second  # shuffled again


def test_the_queue_state_is_found_in_any_message_of_the_reply() -> None:
    state = {"state": "queued", "position": 2, "expected_wait_minutes": 10}
    assert handoff_state([{"text": "Jesteś 2. w kolejce."}, {"custom": {"handoff": state}}]) == state
    assert handoff_state([{"text": "Zwrot trwa 14 dni."}, {"custom": {"buttons": []}}]) is None


def test_latency_summary_takes_the_nearest_rank_percentiles() -> None:
    summary = latency_summary([float(ms) for ms in range(1, 101)])
    assert summary == {"median_ms": 50.5, "p95_ms": 95.0, "p99_ms": 99.0}
    assert all(math.isnan(v) for v in latency_summary([]).values())


def test_overall_pools_the_channels() -> None:
    rest, widget = ChannelStats(3, 10, 1, 0, [10.0, 20.0]), ChannelStats(2, 5, 0, 2, [30.0])
    pooled = overall([rest, widget]).summary()
    assert (pooled["conversations"], pooled["messages"], pooled["answered"]) == (5, 15, 3)
    assert (pooled["errors"], pooled["timeouts"], pooled["median_ms"]) == (1, 2, 20.0)


def test_milliseconds_are_written_as_people_read_them() -> None:
    assert [format_ms(v) for v in (7.24, 45.1, 183.4, 1760.0, float("nan"))] == [
        "7.2 ms", "45.1 ms", "183 ms", "1.76 s", "n/a"]
