from pathlib import Path

import pytest

from bot.brain.settings import BrainSettings, SettingsError


def test_defaults() -> None:
    settings = BrainSettings.from_env({})
    assert settings.embedder == "e5"
    assert settings.index_dir == Path("var/index")
    assert settings.register == "ty"
    assert settings.answer_threshold is None
    assert settings.embed_threads == 1


def test_values_from_the_environment() -> None:
    settings = BrainSettings.from_env({"EMBED_THREADS": "2", "BRAND_REGISTER": "pan", "ANSWER_THRESHOLD": "0.6"})
    assert (settings.embed_threads, settings.register, settings.answer_threshold) == (2, "pan", 0.6)


@pytest.mark.parametrize(
    ("name", "value"),
    [("EMBED_THREADS", "0"), ("EMBED_THREADS", "two"), ("EMBED_THREADS", "-1"),
     ("BRAND_REGISTER", "vy"), ("ANSWER_THRESHOLD", "high")],
)
def test_bad_values_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        BrainSettings.from_env({name: value})
