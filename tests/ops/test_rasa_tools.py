"""Rasa's own command line with make run's environment (ops.rasa_tools)."""

import subprocess
import sys
from pathlib import Path

import pytest

from ops import rasa_tools
from ops.processes import REPO, free_port


def test_shell_gets_the_model_the_endpoints_and_its_own_port() -> None:
    argv = rasa_tools.rasa_argv(["shell"], {})
    assert argv[1:4] == ["-m", "bot.rasa_side", "shell"]
    assert argv[argv.index("--endpoints") + 1] == "endpoints.yml" and argv[argv.index("-p") + 1] == "5006"
    assert rasa_tools.rasa_argv(["shell", "-p", "7000"], {"RASA_SHELL_PORT": "6000"}).count("-p") == 1
    assert rasa_tools.rasa_argv(["data", "validate"], {})[3:] == ["data", "validate"]  # others as given


def test_shell_without_a_running_stack_says_to_start_it(monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ACTION_PORT", str(free_port()))  # nothing listens there
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:9/0")
    assert rasa_tools.main(["shell"]) == 1
    assert "start the stack first (make run)" in capsys.readouterr().err


def test_without_arguments_it_prints_its_use(capsys: pytest.CaptureFixture[str]) -> None:
    assert rasa_tools.main([]) == 2
    assert "make shell" in capsys.readouterr().err


@pytest.mark.integration
def test_rasa_data_validate_runs_with_the_projects_files(tmp_path: Path) -> None:
    """Bare ``rasa`` stops on ``${ACTION_SERVER_URL}``; through the wrapper the files expand and validate."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "REDIS_URL": "redis://127.0.0.1:9/0"}
    done = subprocess.run([sys.executable, "-m", "ops.rasa_tools", "data", "validate", "--fail-on-warnings"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert "expand the environment variables" not in done.stdout + done.stderr
    assert "Validating intents" in done.stdout + done.stderr
