"""The Rasa side (Python 3.10, redis-py 4.6) over TLS with an ACL user: tracker store, lock
store, the widget's socket.io manager and the Messenger inbox, as endpoints.yml and
credentials.yml configure them; and the errors a wrong password or plain redis:// give."""

import json
import os
import subprocess
from dataclasses import replace

from ops.processes import REPO
from tests.tls_redis import ACL_USER, TlsRedis

CHANNEL_ENV = {"WIDGET_ALLOWED_ORIGINS": "https://shop.example"}  # what the channels read at creation


def _run(script: str, *args: str) -> dict:
    result = subprocess.run(
        [str(REPO / ".venv-rasa/bin/python"), str(REPO / "tests/bot/rasa_side" / script), *args],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO), **CHANNEL_ENV}, capture_output=True, text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def test_the_tracker_store_works_over_tls_as_the_acl_user(tls_redis: TlsRedis) -> None:
    assert tls_redis.url.startswith(f"rediss://{ACL_USER}:")
    r = _run("check_store.py", tls_redis.url)
    assert r["first_len"] == 3 and r["stream_equals_stored"] and r["keys"] == ["web:conv"]
    assert r["long"]["full_users"] == 45


def test_the_lock_store_works_over_tls_as_the_acl_user(tls_redis: TlsRedis) -> None:
    r = _run("check_locks.py", tls_redis.url)
    # one at a time, all of them, nothing left; arrival order is test_locks.py's (5 ms apart is
    # less than a new TLS connection takes, so here it is not the order they asked in)
    assert r["most_inside"] == 1 and sorted(r["order"]) == list(range(20))
    assert r["keys_left"] == [] and r["expired_raises"]


def test_socketio_pubsub_and_the_messenger_inbox_work_over_tls_and_bad_credentials_fail(tls_redis: TlsRedis) -> None:
    wrong = replace(tls_redis.config, password="not-the-password-0000").full_url()
    plain = replace(tls_redis.config, tls=False, ca_file="").full_url()
    r = _run("check_redis_tls.py", tls_redis.url, wrong, plain)
    assert r["tls"] and r["manager_roundtrip"]
    assert r["messenger_inbox_user"] == ACL_USER
    assert r["wrong_password"].startswith("AuthenticationError") and "username-password" in r["wrong_password"]
    assert r["plain_to_tls_port"].startswith("ConnectionError"), r["plain_to_tls_port"]
