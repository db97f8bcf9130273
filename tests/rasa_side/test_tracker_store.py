"""bot.stores runs inside Rasa (Python 3.10); this drives it there against the session's redis-server."""

import json
import os
import subprocess

from ops.processes import REPO, RedisServer


def test_conversations_are_append_only_lists_read_from_the_latest_session(redis_server: RedisServer) -> None:
    result = subprocess.run(
        [str(REPO / ".venv-rasa/bin/python"), str(REPO / "tests/rasa_side/check_store.py"), str(redis_server.port)],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    r = json.loads(result.stdout.strip().splitlines()[-1])
    assert r["first_len"] == 3  # action_listen, question, answer: saving twice stored them once
    assert r["latest_texts"] == ["drugie pytanie"]  # retrieve: the latest session only
    assert r["full_texts"] == ["pierwsze pytanie", "pierwsza odpowiedź", "drugie pytanie", "druga odpowiedź"]
    assert r["latest_after"] == ["drugie pytanie", "druga odpowiedź"]
    assert r["stored_count"] == 8 and r["stream_equals_stored"]
    assert r["keys"] == ["web:conv"] and r["ttl_set"]
