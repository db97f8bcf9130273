"""How long a fresh virtual environment takes to install from the hashed locks: pip vs uv, cold and warm.

    python -m bench.install_time [--repo PATH] [--envs app rasa] [--installers pip uv]

For each environment (app: app.lock + dev.lock on Python 3.11, as `make setup` installs .venv;
rasa: rasa.lock on Python 3.10) and each installer, a new venv in a temporary directory is installed
twice: with an empty installer cache (cold) and again with the cache the first install filled (warm).
Installers: ``pip install --require-hashes`` (pip 24.3.1, as bin/setup used) with this machine's pip
configuration (``pip``: it may name local mirrors) and with none (``pip-pypi``: PyPI only, like uv);
``uv pip sync --require-hashes`` with .venv-tools/bin/uv (``uv``). Only the install command is timed;
.venv and .venv-rasa are never touched. Writes bench/results/setup_install.{json,md}.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bench import report_files
from bench.handoff_footprint import commit, machine
from bench.report_files import RESULTS
from ops.processes import REPO

PIP = "pip==24.3.1"
ENVS = {"app": ("3.11", ("app.lock", "dev.lock"), "torch"), "rasa": ("3.10", ("rasa.lock",), "rasa")}
INSTALL_TIMEOUT_S = 1800
INSTALLERS = ("pip", "pip-pypi", "uv")


def interpreter(version: str) -> str:
    """PYTHON310 / PYTHON311 if set, else pyenv's or the PATH's pythonX.Y (as bin/setup finds them)."""
    named = os.environ.get("PYTHON" + version.replace(".", ""))
    if named:
        return named
    pyenv = shutil.which("pyenv") and subprocess.run(["pyenv", "prefix", version], capture_output=True, text=True)
    if pyenv and pyenv.returncode == 0:
        for prefix in pyenv.stdout.split(":"):
            candidate = Path(prefix.strip()) / "bin" / f"python{version}"
            if candidate.exists():
                return str(candidate)
    found = shutil.which(f"python{version}")
    if not found:
        raise SystemExit(f"install_time: Python {version} not found: set PYTHON{version.replace('.', '')}")
    return found


def prepared_locks(repo: Path, scratch: Path) -> Path:
    """Copies of the repo's locks with torch's index line rewritten as bin/setup does on this machine."""
    locks = scratch / "locks"
    locks.mkdir()
    for lock in (repo / "requirements").glob("*.lock"):
        shutil.copy(lock, locks / lock.name)
    script = ('die() { echo "$*" >&2; exit 1; }; . bin/lib/locks.sh; w=$(torch_wheels python3); '
              '[ -z "$w" ] || use_torch_wheels "$w" "$@"')
    subprocess.run(["bash", "-euc", script, "bash", *map(str, locks.glob("*.lock"))], cwd=repo, check=True)
    return locks


def install_command(installer: str, venv: Path, locks: list[Path], uv: Path) -> list[str]:
    if installer == "uv":
        return [str(uv), "pip", "sync", "--quiet", "--require-hashes", "--python", str(venv / "bin" / "python"),
                *map(str, locks)]
    requirements = [arg for lock in locks for arg in ("-r", str(lock))]
    return [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
            "--require-hashes", *requirements]


def one_install(installer: str, env: str, locks_dir: Path, cache: Path, uv: Path) -> float:
    """Seconds to install a new venv of ``env`` with ``installer`` and its cache at ``cache``."""
    version, lock_names, probe = ENVS[env]
    venv = cache.parent / f"venv-{env}-{installer}"
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([interpreter(version), "-m", "venv", str(venv)], check=True)
    if installer != "uv":  # not timed, and kept out of the cache being measured
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-cache-dir",
                        "--disable-pip-version-check", PIP], check=True, capture_output=True)
    env_vars = {"UV_CACHE_DIR": str(cache)} if installer == "uv" else {"PIP_CACHE_DIR": str(cache)}
    if installer == "pip-pypi":  # pip reads no configuration file at all when it is pointed at os.devnull
        env_vars["PIP_CONFIG_FILE"] = os.devnull
    command = install_command(installer, venv, [locks_dir / name for name in lock_names], uv)
    started = time.perf_counter()
    subprocess.run(command, check=True, env={**os.environ, **env_vars}, timeout=INSTALL_TIMEOUT_S,
                   stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    check = f"import importlib.metadata as m; print(m.version({probe!r}))"
    subprocess.run([str(venv / "bin" / "python"), "-c", check], check=True, capture_output=True)
    shutil.rmtree(venv)
    return seconds


def measure(repo: Path, envs: list[str], installers: list[str]) -> list[dict[str, Any]]:
    uv = repo / ".venv-tools" / "bin" / "uv"
    if "uv" in installers and not uv.exists():
        raise SystemExit(f"install_time: {uv} is missing: run bin/setup in {repo} first")
    rows = []
    with tempfile.TemporaryDirectory(prefix="install-time-") as tmp:
        scratch = Path(tmp)
        locks = prepared_locks(repo, scratch)
        for env in envs:
            for installer in installers:
                cache = scratch / f"cache-{env}-{installer}"
                for state in ("cold", "warm"):  # cold: the empty cache; warm: what the cold run left in it
                    load = os.getloadavg()[0]
                    seconds = one_install(installer, env, locks, cache, uv)
                    rows.append({"env": env, "installer": installer, "cache": state, "seconds": round(seconds, 1),
                                 "load_at_start": round(load, 2)})
                    print(f"{env} {installer} {state}: {seconds:.1f} s (1-minute load {load:.2f} at start)")
                shutil.rmtree(cache, ignore_errors=True)  # pip caches nothing it read from a local mirror
    return rows


def render(report: dict[str, Any]) -> str:
    lines = ["# Fresh-venv install time: pip vs uv", "",
             "Command: `python -m bench.install_time` (in a clone; never touches .venv or .venv-rasa). "
             "Each row installs a new venv from the hashed locks: app = app.lock + dev.lock on Python 3.11 "
             "(`make setup`'s .venv), rasa = rasa.lock on Python 3.10. pip: `pip install --require-hashes` "
             f"({PIP}) with this machine's pip configuration, which names local mirrors (file:// indexes: "
             "pip reads most wheels from local disk and caches none of them); pip-pypi: the same with no pip "
             f"configuration (PyPI only); uv: `uv pip sync --require-hashes` ({report['uv']}), PyPI only. "
             "Cold: an empty installer cache, so every wheel not on a local mirror comes over the network "
             "from PyPI; warm: the cache the cold run filled. torch always comes from this machine's local "
             "copy of PyTorch's CPU wheel (its index is out of reach here); the OS file cache is warm.", "",
             "| environment | installer | cache | seconds | 1-minute load at start |", "|---|---|---|---|---|"]
    lines += [f"| {r['env']} | {r['installer']} | {r['cache']} | {r['seconds']} | {r['load_at_start']} |"
              for r in report["rows"]]
    lines += ["", f"Measured {report['measured_at']} on {report['machine']} (shared with other work: see the load), "
              f"commit {report['commit']}."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repo", type=Path, default=REPO, help="the checkout whose locks and .venv-tools to use")
    parser.add_argument("--envs", nargs="+", choices=sorted(ENVS), default=sorted(ENVS))
    parser.add_argument("--installers", nargs="+", choices=INSTALLERS, default=list(INSTALLERS))
    args = parser.parse_args()
    repo = args.repo.resolve()
    uv_version = subprocess.run([str(repo / ".venv-tools" / "bin" / "uv"), "--version"], capture_output=True,
                                text=True).stdout.strip() if "uv" in args.installers else "not measured"
    report = {"measured_at": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(),
              "commit": commit(repo), "uv": uv_version, "rows": measure(repo, args.envs, args.installers)}
    report_files.write(RESULTS / "setup_install", report, render(report), indent=2)
    print(render(report))


if __name__ == "__main__":
    main()
