"""``python -m bot.rasa_side`` names every variable endpoints.yml and credentials.yml need and the
environment lacks, before Rasa loads."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bot.rasa_side.config_env import MissingVariables, check, config_files, referenced
from ops.processes import REPO


def test_every_reference_of_the_shipped_files_is_found() -> None:
    endpoints = referenced(REPO / "endpoints.yml")
    assert endpoints[0] == "ACTION_SERVER_URL" and "REDIS_HOST" in endpoints and "TRACKER_TTL_SECONDS" in endpoints
    assert "MESSENGER_APP_SECRET" in referenced(REPO / "credentials.yml")


def test_only_unset_variables_are_named_and_empty_counts_as_set(tmp_path: Path) -> None:
    path = tmp_path / "endpoints.yml"
    path.write_text("# ${IN_A_COMMENT}\naction_endpoint:\n  url: ${ACTION_SERVER_URL}\n  token: x${TOKEN}y\n")
    argv = ["x", "run", "--endpoints", str(path)]
    assert config_files(argv) == [path]
    check(argv, {"ACTION_SERVER_URL": "", "TOKEN": "t"})
    with pytest.raises(MissingVariables, match=r"endpoints.yml needs ACTION_SERVER_URL, TOKEN \("):
        check(argv, {})


def test_rasa_stops_before_loading_naming_the_variable() -> None:
    result = subprocess.run(
        [str(REPO / ".venv-rasa/bin/python"), "-m", "bot.rasa_side", "run", "--enable-api", "--endpoints",
         "endpoints.yml", "--credentials", "credentials.yml"],
        cwd=REPO, env={"PATH": "/usr/bin:/bin", "RASA_TOKEN": "t" * 20}, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "endpoints.yml needs ACTION_SERVER_URL" in result.stderr
