"""The systemd units under ops/systemd/: checked by ``systemd-analyze verify`` (offline: PID 1 here is
not systemd) as shipped, rendered for an install directory; the same commands as the Procfile; each
refusing to start, naming the variable, when its environment file lacks one; and the environment
file ``python -m ops.unit_env`` writes."""

from __future__ import annotations

import shlex
import stat
import subprocess
from pathlib import Path

import pytest

from bot.rasa_side.config_env import referenced
from ops import unit_env, units
from ops.env_file import parse
from ops.preflight import PreflightError
from ops.processes import REPO
from tests.ops.units import SETTINGS_EXAMPLE, env_text, install_dir, rendered

SERVICES = [f"{name}.service" for name in units.SERVICES]
SYSTEMD_ANALYZE = "/usr/bin/systemd-analyze"
HARDENING_FROM = "# Hardening:"


@pytest.fixture(scope="module")
def install(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path]]:
    root = tmp_path_factory.mktemp("install")
    opt = install_dir(root)
    return opt, rendered(root, opt)


def verify(paths: list[Path]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SYSTEMD_ANALYZE, "verify", "--man=no", *map(str, paths)], capture_output=True, text=True,
                          timeout=120)


def test_systemd_analyze_verify_finds_nothing_to_say(install: tuple[Path, dict[str, Path]]) -> None:
    result = verify(list(install[1].values()))
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_the_verification_is_real(install: tuple[Path, dict[str, Path]], tmp_path: Path) -> None:
    broken = tmp_path / "careassist-handoff.service"
    text = install[1]["careassist-handoff.service"].read_text()
    broken.write_text(text.replace("MemoryMax=", "MemoryMaks=").replace(str(install[0]), str(tmp_path / "nowhere")))
    output = verify([broken]).stderr
    assert "Unknown key 'MemoryMaks'" in output and "is not executable" in output


def test_only_the_install_and_config_directories_are_rendered(install: tuple[Path, dict[str, Path]]) -> None:
    for name, path in install[1].items():
        shipped = units.unit_text(name)
        assert units.render(shipped) == shipped
        assert path.read_text() == shipped.replace(units.INSTALL_DIR, str(install[0])).replace(
            units.CONFIG_DIR, str(path.parent.parent / "etc"))


def test_each_service_restarts_runs_as_its_user_and_needs_its_environment_file() -> None:
    for name in SERVICES:
        unit = units.Unit.parse(units.unit_text(name))
        assert unit.one("EnvironmentFile") == "/etc/careassist/careassist.env"  # no "-": refused without it
        assert unit.one("User") == "careassist" and unit.one("WorkingDirectory") == units.INSTALL_DIR
        assert unit.one("Restart") == "on-failure" and int(unit.one("RestartSec")) > 0
        assert unit.one("StartLimitBurst", "Unit") and unit.one("StartLimitIntervalSec", "Unit")
        assert all(unit.one(key) for key in ("MemoryMax", "TasksMax", "LimitNOFILE"))
        assert unit.one("ExecStartPost").endswith("/ready")  # started once ready
        assert unit.one("PartOf", "Unit") == units.TARGET and unit.one("WantedBy", "Install") == units.TARGET
        assert "network-online.target" in unit.one("After", "Unit")


def test_every_service_has_the_same_hardening() -> None:
    blocks = {units.unit_text(name).split(HARDENING_FROM)[1].split("[Install]")[0] for name in SERVICES}
    assert len(blocks) == 1
    hardening = units.Unit.parse("[Service]\n" + blocks.pop())
    assert hardening.one("ProtectSystem") == "strict" and hardening.one("ReadWritePaths") == "/opt/careassist/var"
    assert hardening.one("CapabilityBoundingSet") == "" and hardening.one("SystemCallFilter") == "@system-service"
    for key in ("NoNewPrivileges", "ProtectHome", "PrivateTmp", "ProtectKernelTunables", "ProtectKernelModules"):
        assert hardening.one(key) == "yes"


def test_the_target_starts_every_service() -> None:
    target = units.Unit.parse(units.unit_text(units.TARGET))
    assert sorted(target.one("Wants", "Unit").split()) == sorted(SERVICES)
    assert target.one("WantedBy", "Install") == "multi-user.target"


def test_the_units_run_the_procfiles_commands() -> None:
    procfile = dict(line.split(": exec ", 1) for line in (REPO / "Procfile").read_text().splitlines() if line)
    for name, process in (("careassist-actions", "actions"), ("careassist-rasa", "rasa"),
                          ("careassist-handoff", "handoff")):
        unit = units.Unit.parse(units.unit_text(f"{name}.service"))
        env = {variable: f"<{variable}>" for variable in ("RASA_HOST", "RASA_PORT")}
        expected = [word.replace("$RASA_HOST", env["RASA_HOST"]).replace("$RASA_PORT", env["RASA_PORT"])
                    for word in shlex.split(procfile[process])]
        expected[0] = f"{units.INSTALL_DIR}/{expected[0]}"
        assert unit.command("ExecStart", env) == expected


@pytest.mark.parametrize(("service", "variable", "message"), [
    ("careassist-actions", "HANDOFF_SERVICE_TOKEN", "actions: HANDOFF_SERVICE_TOKEN must be set"),
    ("careassist-handoff", "RASA_TOKEN", "handoff: RASA_TOKEN must be set"),
    ("careassist-rasa", "ACTION_SERVER_URL", "endpoints.yml needs ACTION_SERVER_URL"),
    ("careassist-rasa", "REDIS_HOST", "endpoints.yml needs REDIS_HOST"),
])
def test_a_unit_whose_environment_file_lacks_a_variable_stops_naming_it(
        install: tuple[Path, dict[str, Path]], service: str, variable: str, message: str) -> None:
    unit = units.Unit.parse(install[1][f"{service}.service"].read_text())
    path = unit.one("EnvironmentFile")
    text = "".join(line + "\n" for line in env_text("redis://127.0.0.1:9/0").splitlines()
                   if not line.startswith(f"{variable}="))
    env = unit.environment({path: text})
    result = subprocess.run(unit.command("ExecStart", env), cwd=unit.one("WorkingDirectory"), env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert message in result.stderr


def test_the_environment_file_has_what_make_run_computes_and_keeps_its_secrets(tmp_path: Path) -> None:
    settings, output = tmp_path / "settings.env", tmp_path / "careassist.env"
    settings.write_text(SETTINGS_EXAMPLE.read_text() + "PUBLIC_RASA_URL='https://chat.shop.example/a b'\n")
    assert unit_env.main([str(settings), str(output)]) == 0
    assert stat.S_IMODE(output.stat().st_mode) == 0o640
    env = parse(output.read_text())
    assert env["ACTION_SERVER_URL"] == "http://127.0.0.1:5055/webhook"
    assert (env["REDIS_HOST"], env["REDIS_PORT"], env["REDIS_PASSWORD"]) == ("127.0.0.1", "6379",
                                                                             "change-this-redis-password")
    assert env["REST_CHANNEL"] == "off" and env["PUBLIC_RASA_URL"] == "https://chat.shop.example/a b"
    assert "EMBEDDED_REDIS_PORT" not in env and "PATH" not in env and "HOME" not in env
    assert all(len(env[name]) >= 16 for name in unit_env.SECRETS)
    assert unit_env.main([str(settings), str(output)]) == 0
    again = parse(output.read_text())
    assert {name: again[name] for name in unit_env.SECRETS} == {name: env[name] for name in unit_env.SECRETS}


def test_bad_settings_are_refused_naming_the_variable() -> None:
    with pytest.raises(PreflightError, match="REDIS_URL must be set"):
        unit_env.unit_env({"RASA_PORT": "5005"}, {})
    with pytest.raises(PreflightError, match="RASA_PORT must be a port number"):
        unit_env.unit_env({"REDIS_URL": "redis://127.0.0.1:6379/0", "RASA_PORT": "http"}, {})
    with pytest.raises(PreflightError, match="WIDGET_ALLOWED_ORIGINS: a value with a quote"):
        unit_env.line("WIDGET_ALLOWED_ORIGINS", "https://a.example'")


def test_a_missing_settings_file_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert unit_env.main([str(tmp_path / "settings.env"), str(tmp_path / "out.env")]) == 1
    assert "settings.env cannot be read" in capsys.readouterr().err
    assert not (tmp_path / "out.env").exists()


def test_sentinel_settings_reach_the_environment_file() -> None:
    env = unit_env.unit_env({"REDIS_URL": "redis://:secret-password-0001@127.0.0.1:6379/0",
                             "REDIS_SENTINELS": "10.0.0.1:26379,10.0.0.2:26379", "REDIS_SENTINEL_MASTER": "careassist"},
                            {})
    assert (env["REDIS_SENTINELS"], env["REDIS_SENTINEL_MASTER"]) == ("10.0.0.1:26379,10.0.0.2:26379", "careassist")
    rasa_reads = {*referenced(REPO / "endpoints.yml"), *referenced(REPO / "credentials.yml")}
    assert rasa_reads <= set(env), rasa_reads - set(env)
