"""The lock files bin/lock compiles and bin/setup installs: every package hashed, every .in name locked
at the version it asks for, the runtime and dev locks agreeing, and torch's CPU index stated."""

import os
import subprocess
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from ops.processes import REPO

REQUIREMENTS = REPO / "requirements"
TORCH_INDEX_LINE = "--extra-index-url https://download.pytorch.org/whl/cpu"
LOCKS = ("tools", "app", "dev", "rasa")


def logical_lines(path: Path) -> list[str]:
    """A requirements file's lines with backslash continuations joined and comments dropped."""
    joined = path.read_text().replace("\\\n", " ")
    lines = (line.split(" #", 1)[0].strip() for line in joined.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def pins(name: str) -> dict[str, str]:
    """Package (canonical name) -> version pinned by requirements/NAME.lock."""
    found: dict[str, str] = {}
    for line in logical_lines(REQUIREMENTS / f"{name}.lock"):
        if line.startswith("-"):
            continue
        requirement = Requirement(line.split(" --hash", 1)[0])
        assert str(requirement.specifier).startswith("=="), f"{name}.lock: {line[:60]} is not pinned"
        found[canonicalize_name(requirement.name)] = str(requirement.specifier)[2:]
    return found


def asked(name: str) -> list[Requirement]:
    return [Requirement(line) for line in logical_lines(REQUIREMENTS / f"{name}.in") if not line.startswith("-")]


@pytest.mark.parametrize("name", LOCKS)
def test_every_package_in_a_lock_carries_its_sha256(name: str) -> None:
    lines = logical_lines(REQUIREMENTS / f"{name}.lock")
    packages = [line for line in lines if not line.startswith("-")]
    assert packages, f"{name}.lock names no package"
    unhashed = [line.split()[0] for line in packages if "--hash=sha256:" not in line]
    assert unhashed == [], f"{name}.lock: no hash for {unhashed}"


@pytest.mark.parametrize("name", LOCKS)
def test_a_lock_is_compiled_by_make_lock_not_frozen(name: str) -> None:
    assert (REQUIREMENTS / f"{name}.lock").read_text().splitlines()[1] == "#    make lock"


@pytest.mark.parametrize("name", LOCKS)
def test_every_package_an_in_file_names_is_in_its_lock_at_the_version_it_asks(name: str) -> None:
    locked = pins(name)
    for requirement in asked(name):
        version = locked.get(canonicalize_name(requirement.name))
        assert version is not None, f"{requirement.name} (requirements/{name}.in) is not in {name}.lock"
        assert requirement.specifier.contains(version, prereleases=True), \
            f"{name}.lock pins {requirement.name}=={version}, {name}.in asks {requirement.specifier}"


def test_the_runtime_and_dev_locks_never_pin_one_package_at_two_versions() -> None:
    app, dev = pins("app"), pins("dev")
    assert {name: (app[name], dev[name]) for name in app.keys() & dev.keys() if app[name] != dev[name]} == {}


def test_dev_tools_stay_out_of_the_runtime_lock() -> None:
    runtime = pins("app")
    for tool in ("pytest", "ruff", "mypy", "playwright", "schemathesis", "py-spy", "aiosmtpd"):
        assert tool not in runtime, f"{tool} is a dev tool: requirements/dev.in, not app.lock"


def test_rasa_keeps_the_socketio_release_it_works_with() -> None:
    assert pins("rasa")["python-socketio"] == "5.9.0"
    assert pins("rasa")["rasa"] == "3.6.21"


def test_torch_is_the_cpu_build_and_its_index_is_stated_in_the_in_file_and_the_lock() -> None:
    assert pins("app")["torch"].endswith("+cpu")
    assert TORCH_INDEX_LINE in (REQUIREMENTS / "app.in").read_text().splitlines()
    assert TORCH_INDEX_LINE in (REQUIREMENTS / "app.lock").read_text().splitlines()


def test_uv_is_pinned_for_the_bootstrap() -> None:
    assert list(pins("tools")) == ["uv"]


def shell(script: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-c", f"set -euo pipefail; die() {{ echo \"$*\" >&2; exit 1; }}; "
                           f". bin/lib/locks.sh; {script}"], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=60)


def test_a_mirror_of_torchs_wheels_replaces_the_index_line_only(tmp_path: Path) -> None:
    lock = tmp_path / "app.lock"
    lock.write_text(f"# header\n{TORCH_INDEX_LINE}\n\ntorch==2.13.0+cpu \\\n    --hash=sha256:00\n")
    done = shell(f"use_torch_wheels '/srv/wheels https://mirror.example/torch/' {lock}")
    assert done.returncode == 0, done.stderr
    assert lock.read_text() == ("# header\n--find-links /srv/wheels\n--find-links https://mirror.example/torch/\n"
                                "\ntorch==2.13.0+cpu \\\n    --hash=sha256:00\n")


def test_torch_wheels_named_by_the_setting_are_used_without_asking_the_index() -> None:
    done = shell("torch_wheels python3", {"TORCH_WHEELS": "/srv/wheels"})
    assert (done.returncode, done.stdout) == (0, "/srv/wheels\n")


def test_setup_refuses_an_unknown_option_by_name() -> None:
    done = subprocess.run([str(REPO / "bin" / "setup"), "--production"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "unknown option --production" in done.stderr
