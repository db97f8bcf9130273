"""The .env file of make run: read on purpose before the checks, the shell's variables winning,
a malformed line stopping the start, and honcho never reading it again."""

import subprocess
from pathlib import Path
from typing import Any

import pytest

from ops import launch
from ops.env_file import NO_FILE, parse, with_env_file
from ops.preflight import PreflightError
from ops.processes import REPO


def test_lines_are_name_value_comments_or_blank_with_quotes_removed() -> None:
    text = """
# the brand's settings
HANDOFF_PORT=9000
export BRAND_REGISTER=pan
WIDGET_ALLOWED_ORIGINS="https://shop.example, https://www.shop.example"
HANDOFF_EXPERTS='Jan <jan@shop.example>'
NOTE=a value with # and spaces
EMPTY=
"""
    assert parse(text) == {"HANDOFF_PORT": "9000", "BRAND_REGISTER": "pan",
                           "WIDGET_ALLOWED_ORIGINS": "https://shop.example, https://www.shop.example",
                           "HANDOFF_EXPERTS": "Jan <jan@shop.example>", "NOTE": "a value with # and spaces",
                           "EMPTY": ""}


@pytest.mark.parametrize("line", ["HANDOFF_PORT 9000", "9PORT=1", "=value", "HANDOFF-PORT=1"])
def test_a_malformed_line_stops_the_start_naming_the_file_and_line(line: str) -> None:
    with pytest.raises(PreflightError, match=r"\.env line 2 is not NAME=value"):
        parse(f"OK=1\n{line}\n")


def test_the_shell_wins_and_only_the_names_taken_from_the_file_are_listed(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("HANDOFF_PORT=9000\nRASA_PORT=5006\n")
    environ, taken = with_env_file({"HANDOFF_PORT": "8100", "PATH": "/bin"}, env_file)
    assert environ == {"HANDOFF_PORT": "8100", "PATH": "/bin", "RASA_PORT": "5006"}
    assert taken == ["RASA_PORT"]
    assert with_env_file({"A": "1"}, tmp_path / "missing") == ({"A": "1"}, [])


def test_make_run_reads_the_file_before_its_checks_and_tells_honcho_to_read_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("HANDOFF_PORT=notaport\n")
    for name in ("HANDOFF_PORT", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    assert launch.main() == 1  # the file's value was checked, as if typed in the shell
    out = capsys.readouterr()
    assert ".env: HANDOFF_PORT" in out.out and "HANDOFF_PORT must be a port number" in out.err

    started: list[Any] = []
    (tmp_path / ".env").write_text("HANDOFF_PORT=8123\n")
    monkeypatch.setattr(launch, "preflight", lambda env, processes: None)
    monkeypatch.setattr(launch, "rasa_token", lambda env: "t" * 24)
    monkeypatch.setattr(launch.os, "execve", lambda path, argv, env: started.append((argv, env)))
    assert launch.main() == 0
    argv, env = started[0]
    assert argv[1:4] == ["start", "-e", NO_FILE] and env["HANDOFF_PORT"] == "8123"


def test_git_ignores_the_file() -> None:
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=REPO, check=False)
    assert ignored.returncode == 0
