"""``python -m bot.rasa_side``: Rasa's API token from the environment, never the command line."""

from __future__ import annotations

import pytest

from bot.rasa_side.__main__ import NoToken, with_token
from ops.processes import REPO


def test_the_token_comes_from_the_environment() -> None:
    argv = ["x", "run", "--enable-api", "-p", "5005"]
    assert with_token(argv, {"RASA_TOKEN": "s3cret"}) == [*argv, "--auth-token", "s3cret"]
    assert with_token(["x", "run", "--enable-api", "--auth-token", "given"], {"RASA_TOKEN": "s3cret"})[-1] == "given"
    assert with_token(["x", "run"], {}) == ["x", "run"]  # no API, no token needed


def test_an_api_without_a_token_is_refused() -> None:
    with pytest.raises(NoToken, match="RASA_TOKEN"):
        with_token(["x", "run", "--enable-api"], {})


def test_make_run_starts_rasa_without_the_token_on_its_command_line() -> None:
    procfile = (REPO / "Procfile").read_text()
    rasa = next(line for line in procfile.splitlines() if line.startswith("rasa:"))
    assert "--enable-api" in rasa and "--auth-token" not in rasa and "RASA_TOKEN" not in rasa
