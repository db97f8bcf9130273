"""bot.rasa_side.stores runs inside Rasa (Python 3.10); this drives it there against the session's redis-server."""

import json
import os
import subprocess

from ops.processes import REPO, RedisServer


def _run(redis_server: RedisServer) -> dict:
    result = subprocess.run(
        [str(REPO / ".venv-rasa/bin/python"), str(REPO / "tests/bot/rasa_side/check_store.py"), redis_server.url],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def test_conversations_are_append_only_lists_read_from_the_latest_session(redis_server: RedisServer) -> None:
    r = _run(redis_server)
    assert r["first_len"] == 3  # action_listen, question, answer: saving twice stored them once
    assert r["latest_texts"] == ["drugie pytanie"]  # retrieve: the latest session only
    assert r["full_texts"] == ["pierwsze pytanie", "pierwsza odpowiedź", "drugie pytanie", "druga odpowiedź"]
    assert r["latest_after"] == ["drugie pytanie", "druga odpowiedź"]
    assert r["stored_count"] == 8 and r["stream_equals_stored"]
    assert r["keys"] == ["web:conv"] and r["ttl_set"]


def test_a_long_conversation_keeps_a_bounded_window_with_exact_state(redis_server: RedisServer) -> None:
    long = _run(redis_server)["long"]
    # window of 5 turns: Rasa never sees more than 2 x 5 customer turns, whatever the length
    assert long["max_users_seen"] <= 9 and long["max_tracker_events"] <= 45
    assert long["windowed_first_user"] == "pytanie 40" and long["windowed_last_user"] == "pytanie 44"
    # slots set at turns 2 and 7 and the pause of turn 30 are there, though those turns are not
    assert long["windowed_slots"] == long["full_slots"] == {"lang": "pl", "order": "PL-123"}
    assert long["windowed_paused"] and long["full_paused"]
    # nothing dropped, nothing synthetic stored, the stream agrees with the list
    assert long["full_users"] == 45
    assert long["stored_users"] == [f"pytanie {n}" for n in range(45)] + ["po kopii"]
    assert long["synthetic_stored"] == 0 and long["stream_equals_stored"]
    # a rebuilt copy of a windowed tracker appends in the right place
    assert long["after_copy_last_user"] == "po kopii" and not long["after_copy_paused"]
