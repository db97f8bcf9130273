"""``rasa data validate`` through ops.rasa_tools: the project's domain, data and config pass
without a warning, the payload-only intents (attachment, choose_topic, …) included."""

import subprocess
import sys
from pathlib import Path

import pytest

from ops.processes import REPO


@pytest.mark.integration
def test_rasa_data_validate_passes_without_warnings(tmp_path: Path) -> None:
    argv = [sys.executable, "-m", "ops.rasa_tools", "data", "validate", "--fail-on-warnings"]
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "REDIS_URL": "redis://127.0.0.1:9/0"}  # not contacted
    done = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    assert "is listed in the domain file, but is not found" not in output
    # Rasa reports problems in the project's data as UserWarnings; libraries' DeprecationWarnings are no such thing.
    assert [line for line in output.splitlines() if "UserWarning" in line] == []
    assert "Validating intents..." in output and "No story structure conflicts found." in output
