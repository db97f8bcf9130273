from pathlib import Path

import pytest

from bot.core import settings
from bot.core.settings import SettingsError


def test_a_port_and_a_bounded_number_are_read_or_refused_by_name() -> None:
    assert settings.port({"P": "8080"}, "P", "1") == 8080
    assert settings.whole_number({}, "N", "5", 1, 10) == 5
    for bad in ("0", "65536", "http", ""):
        with pytest.raises(SettingsError, match=r"^P must be a port"):
            settings.port({"P": bad}, "P", "1")
    with pytest.raises(SettingsError, match=r"^N must be a number of minutes \(1-10\), got '11'"):
        settings.whole_number({"N": "11"}, "N", "5", 1, 10, "minutes")


def test_secrets_urls_and_choices_name_the_variable_and_never_echo_a_secret() -> None:
    with pytest.raises(SettingsError, match=r"^TOKEN must be set") as refused:
        settings.secret({"TOKEN": "short-secret"}, "TOKEN", "why")
    assert "short-secret" not in str(refused.value)
    assert settings.redis_url("rediss://h:1/0") == "rediss://h:1/0"
    with pytest.raises(SettingsError, match=r"^R must look like"):
        settings.redis_url("h:1", "R")
    with pytest.raises(SettingsError, match=r"^U must be an http"):
        settings.http_url("http://a b", "U")
    with pytest.raises(SettingsError, match=r"^C must be one of a, b"):
        settings.choice({"C": "c"}, "C", "a", ("a", "b"))


def test_the_shared_paths_are_read_in_one_place() -> None:
    env = {"INDEX_DIR": "/i", "FAQ_DIR": "/f", "APPROVED_DIR": "/a", "EMBEDDER": "minilm"}
    assert (settings.index_dir(env), settings.faq_dir(env), settings.approved_dir(env)) == \
        (Path("/i"), Path("/f"), Path("/a"))
    assert settings.embedder_name(env) == "minilm"
    assert (settings.index_dir({}), settings.approved_dir({}), settings.embedder_name({})) == \
        (Path("var/index"), Path("faq_corpus/archive"), "e5")
