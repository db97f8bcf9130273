"""``rasa test`` on the project's test stories (tests/rasa/stories.yml), through ops.rasa_tools: the
stories pass, and a story that expects the wrong action fails the run."""

import subprocess
import sys
from pathlib import Path

import pytest

from ops.processes import REPO

STORIES = REPO / "tests" / "rasa" / "stories.yml"
WRONG = """version: "3.1"
stories:
  - story: a greeting wrongly expected to rate the conversation
    steps:
      - user: |
          cześć
        intent: greet
      - action: action_rate_conversation
"""


def rasa_test(stories: Path, out: Path) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "ops.rasa_tools", "test", "core", "--stories", str(stories),
            "-m", "models/current.tar.gz", "--endpoints", "endpoints.yml", "--out", str(out),
            "--fail-on-prediction-errors"]
    env = {"PATH": "/usr/bin:/bin", "HOME": str(out), "REDIS_URL": "redis://127.0.0.1:9/0"}  # not contacted
    return subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.integration
def test_the_test_stories_pass_and_a_wrong_one_fails(tmp_path: Path) -> None:
    passed = rasa_test(STORIES, tmp_path / "ok")
    assert passed.returncode == 0, passed.stdout[-2000:] + passed.stderr[-2000:]
    assert "Correct:          18 / 18" in passed.stdout + passed.stderr
    wrong = tmp_path / "wrong.yml"
    wrong.write_text(WRONG, encoding="utf-8")
    failed = rasa_test(wrong, tmp_path / "wrong")
    assert failed.returncode != 0
    assert "action_rate_conversation  # predicted: action_answer" in failed.stdout + failed.stderr
