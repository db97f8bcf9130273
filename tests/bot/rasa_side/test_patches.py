"""bot.rasa_side.patches runs inside Rasa (Python 3.10); this drives it there with the real Rasa 3.6."""

import json
import os
import subprocess

from ops.processes import REPO


def test_patches_keep_rasas_validation_and_event_lookup() -> None:
    result = subprocess.run(
        [str(REPO / ".venv-rasa/bin/python"), str(REPO / "tests/bot/rasa_side/check_patches.py")],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    checks = json.loads(result.stdout.strip().splitlines()[-1])
    assert checks == {
        "valid_passes": True,
        "same_event_classes": True,
        "unknown_event_default": True,
        "invalid_rejected": True,
        "unknown_event_raises": True,
        "events_valid_pass": True,
        "events_invalid_rejected": True,
        "session_reused": True,
        "session_per_headers": True,
        "prefetch_url": True,
        "every_patch_in_place": True,
    }


def test_the_graph_runner_gives_the_models_answers_as_dask_did() -> None:
    result = subprocess.run(
        [str(REPO / ".venv-rasa/bin/python"), str(REPO / "tests/bot/rasa_side/check_graph.py"),
         str(REPO / "models/current.tar.gz")],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=240,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    checks = json.loads(result.stdout.strip().splitlines()[-1])
    assert checks["same"], checks
    assert {row[0] for row in checks["without"]} >= {"greet", "thanks"}  # the model really ran


def test_the_api_token_is_compared_in_constant_time_and_taken_from_the_header() -> None:
    result = subprocess.run(
        [str(REPO / ".venv-rasa/bin/python"), str(REPO / "tests/bot/rasa_side/check_api_token.py")],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    checks = json.loads(result.stdout.strip().splitlines()[-1])
    assert checks == {
        "patched": True,
        "header": 200,  # Authorization: Bearer <token>
        "query": 200,  # ?token= (Rasa's own tools)
        "wrong_header": 401,
        "wrong_query": 401,
        "other_scheme": 401,
        "none": 401,
        "no_token_configured": 200,  # without --auth-token Rasa's behaviour is unchanged
        "compared_with_compare_digest": True,
    }
