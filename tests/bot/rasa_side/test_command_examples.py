"""The payload-only intents' commands in data/nlu.yml reach ``rasa data validate`` but never the
classifier (bot/rasa_side/command_examples.py; the model's identity is measured by
bench/nlu_payload_intents.py)."""

import json
import os
import subprocess

import yaml

from ops.processes import REPO

PAYLOAD_INTENTS = ["attachment", "choose_topic", "rate_conversation", "skip_comment"]


def test_the_commands_are_dropped_before_any_nlu_component_sees_them() -> None:
    pipeline = yaml.safe_load((REPO / "config.yml").read_text(encoding="utf-8"))["pipeline"]
    assert pipeline[0]["name"] == "bot.rasa_side.command_examples.CommandExamplesDropped"


def test_training_keeps_everything_but_the_commands_and_inference_keeps_everything() -> None:
    result = subprocess.run(
        [str(REPO / ".venv-rasa/bin/python"), str(REPO / "tests/bot/rasa_side/check_command_examples.py")],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    checks = json.loads(result.stdout.strip().splitlines()[-1])
    assert checks["commands_in_data"] == PAYLOAD_INTENTS
    assert checks["kept_commands"] == []
    assert checks["kept"] == checks["others"] > 100
    assert checks["inference"] == ["/attachment", "cześć"]
