import os
import subprocess
import sys

import pytest

from actions.settings import ActionSettings, SettingsError
from ops.processes import REPO

TOKEN = {"HANDOFF_SERVICE_TOKEN": "s" * 20}


def test_defaults_listen_on_loopback_and_the_token_never_prints() -> None:
    settings = ActionSettings.from_env(TOKEN)
    assert (settings.host, settings.port, settings.handoff_url) == ("127.0.0.1", 5055, "http://127.0.0.1:8008")
    assert settings.brain.embedder == "e5" and settings.log_level == "INFO"
    assert "s" * 20 not in repr(settings)


@pytest.mark.parametrize(
    ("env", "name"),
    [({"HANDOFF_SERVICE_TOKEN": ""}, "HANDOFF_SERVICE_TOKEN"), ({"ACTION_PORT": "x"}, "ACTION_PORT"),
     ({"HANDOFF_URL": "handoff:8008"}, "HANDOFF_URL"), ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
     ({"EMBED_THREADS": "0"}, "EMBED_THREADS")],
)
def test_bad_values_name_the_variable(env: dict[str, str], name: str) -> None:
    with pytest.raises(SettingsError, match=name):
        ActionSettings.from_env({**TOKEN, **env})


def test_the_action_server_does_not_start_without_its_key_to_the_queue() -> None:
    env = {k: v for k, v in os.environ.items() if k != "HANDOFF_SERVICE_TOKEN"}
    done = subprocess.run([sys.executable, "-m", "actions"], cwd=REPO, env={**env, "PYTHONPATH": str(REPO)},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "HANDOFF_SERVICE_TOKEN must be set" in done.stderr
