"""bot.rasa_side.locks runs inside Rasa (Python 3.10); this drives it there against the session's redis-server."""

import json
import os
import subprocess

from ops.processes import REPO, RedisServer


def test_one_message_of_a_conversation_at_a_time_in_order_across_servers(redis_server: RedisServer) -> None:
    result = subprocess.run(
        [str(REPO / ".venv-rasa/bin/python"), str(REPO / "tests/bot/rasa_side/check_locks.py"), redis_server.url],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    r = json.loads(result.stdout.strip().splitlines()[-1])
    assert r["most_inside"] == 1  # two servers, twenty messages: never two at once
    assert r["order"] == list(range(20))  # in the order they arrived
    assert r["keys_left"] == []  # nothing left behind once everyone is done
    assert r["first_state"] == 1  # a free conversation is taken at once
    assert 0.2 <= r["waited_for_dead"] < 2.0  # a dead holder's ticket expires (lifetime 0.3 s)
    assert r["expired_raises"]
