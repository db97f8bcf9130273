"""Measure a plain `rasa init` assistant (DIET + TED) and this stack under the same load.

    python -m bench.rasa_pipeline [--seconds 15] [--levels 1,5,10,20,40] [--long-turns 200]

Runs one system at a time on this machine: first the baseline (in-memory tracker,
REST channel, no action server), then this product (Redis tracker and lock store,
action server with retrieval). Writes bench/results/rasa_pipeline.{json,md}.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import report_files
from bench.load import closed_loop, dev_questions, long_conversation, memory_mb, open_loop
from bench.report_files import RESULTS
from bot.brain.build_index import build
from ops.processes import (
    NO_RATE_LIMITS,
    RASA_ENV,
    REPO,
    Process,
    RedisServer,
    action_server,
    free_port,
    rasa_server,
    redis_env,
)

BASELINE_DIR = REPO / "var" / "bench" / "rasa-init"
TOKEN = "bench-token"


def baseline_model() -> Path:
    """Train the `rasa init` starter assistant once; reuse it afterwards."""
    model = BASELINE_DIR / "models" / "init.tar.gz"
    if not model.exists():
        BASELINE_DIR.mkdir(parents=True, exist_ok=True)
        rasa = str(REPO / ".venv-rasa/bin/rasa")
        subprocess.run([rasa, "init", "--no-prompt", "--init-dir", str(BASELINE_DIR)], check=True,
                       env={**RASA_ENV, "PATH": "/usr/bin:/bin"}, cwd=BASELINE_DIR, stdout=subprocess.DEVNULL)
        newest = max((BASELINE_DIR / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
        newest.rename(model)
    return model


@dataclass
class System:
    url: str  # the REST address
    pids: dict[str, int]  # the system's processes, for their memory
    # empties every cache of answers (the action server's embeddings), so that each open-loop
    # level meets its questions for the first time; nothing to do for the baseline
    forget: Callable[[], None] = lambda: None


@contextmanager
def baseline(logs: Path) -> Iterator[System]:
    port = free_port()
    rasa = rasa_server(baseline_model(), port, logs, TOKEN, cwd=BASELINE_DIR, config_files=False, name="rasa-init")
    try:
        rasa.wait_http(f"http://127.0.0.1:{port}/status?token={TOKEN}", timeout=300)
        yield System(f"http://127.0.0.1:{port}", {"rasa": rasa.proc.pid})
    finally:
        rasa.stop()


@contextmanager
def this_stack(logs: Path, embedder: str) -> Iterator[System]:
    redis = RedisServer(logs)
    index_dir = logs / "index"
    build(REPO / "faq_corpus" / "faq", index_dir, embedder, progress=False, archive_dir=REPO / "faq_corpus" / "archive")
    action_port, port = free_port(), free_port()
    # no handoff service here: its port is closed, so a handoff gets the contact details at once
    # (loopback refuses the connection; no ticket)
    no_handoff = {"HANDOFF_URL": f"http://127.0.0.1:{free_port()}", "HANDOFF_SERVICE_TOKEN": "bench-" + "x" * 16}

    def start_actions() -> Process:
        started = action_server(action_port, index_dir, embedder, logs, no_handoff)
        started.wait_http(f"http://127.0.0.1:{action_port}/health", timeout=120)
        return started

    actions = start_actions()
    rasa = rasa_server(REPO / "models/current.tar.gz", port, logs, TOKEN,
                       redis_env(redis.url, action_port) | NO_RATE_LIMITS)
    system = System(f"http://127.0.0.1:{port}", {"rasa": rasa.proc.pid, "actions": actions.proc.pid,
                                                  "redis": redis.pid})

    def forget() -> None:
        nonlocal actions
        actions.stop()
        actions = start_actions()
        system.pids["actions"] = actions.proc.pid

    system.forget = forget
    try:
        rasa.wait_http(f"http://127.0.0.1:{port}/status?token={TOKEN}", timeout=300)
        yield system
    finally:
        rasa.stop()
        actions.stop()
        redis.stop()


def measure(system: System, levels: list[int], rates: list[float], seconds: float, long_turns: int) -> dict[str, Any]:
    url = system.url
    asyncio.run(closed_loop(url, 2, 3))  # warm-up, not reported
    curve = [asyncio.run(closed_loop(url, c, seconds)).as_dict() for c in levels]
    questions = dev_questions(str(REPO / "faq_corpus" / "dev" / "faq_dev.jsonl"))
    open_curve = []
    for rate in rates:
        system.forget()
        asyncio.run(closed_loop(url, 1, 2))  # warm-up of the fresh process with the fixed texts, not reported
        point = asyncio.run(open_loop(url, rate, seconds, questions)).as_dict()
        point["rate"] = point.pop("customers")
        open_curve.append(point)
    turns = asyncio.run(long_conversation(url, long_turns))
    first, last = turns[:10], turns[-10:]
    return {
        "memory_mb": memory_mb(system.pids),
        "open_loop": open_curve,
        "curve": curve,
        "saturation_msgs_per_s": max(point["throughput"] for point in curve),
        "long_conversation": {
            "turns": long_turns,
            "first_10_median_ms": round(statistics.median(first), 1),
            "last_10_median_ms": round(statistics.median(last), 1),
        },
    }


def markdown(report: dict[str, Any]) -> str:
    lines = [
        "# Rasa pipeline: plain `rasa init` vs this stack",
        "",
        f"Measured {report['measured_at']} on {report['machine']}; command: `{report['command']}`.",
        f"Closed loop, conversations of 8 turns, {report['seconds']} s per load level. "
        "Baseline: DIET + TED, in-memory tracker, no action server. This stack: "
        "LogisticRegression + RulePolicy, Redis tracker and lock store, action server with "
        f"retrieval ({report['embedder']}).",
        "",
        "| system | customers | msgs/s | median ms | p95 ms | p99 ms | errors |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in ("baseline", "stack"):
        for p in report[name]["curve"]:
            lines.append(f"| {name} | {p['customers']} | {p['throughput']} | {p['median_ms']} | "
                         f"{p['p95_ms']} | {p['p99_ms']} | {p['errors']} |")
    lines += ["", "| system | saturation msgs/s | turn 1-10 median ms | last 10 turns median ms |", "|---|---|---|---|"]
    for name in ("baseline", "stack"):
        r = report[name]
        lc = r["long_conversation"]
        lines.append(f"| {name} | {r['saturation_msgs_per_s']} | {lc['first_10_median_ms']} | "
                     f"{lc['last_10_median_ms']} (turns {lc['turns'] - 9}-{lc['turns']}) |")
    lines += ["", f"Saturation ratio, stack / baseline: **{report['saturation_ratio']}**", "",
              "Open loop: Poisson arrivals at a fixed rate whatever the replies' speed; conversations of 8 "
              "turns (a greeting, 6 held-out questions from the dev set, thanks). Each level starts a fresh "
              "action server, so no answer is cached, and deals the dev set's "
              f"{report.get('dev_questions', '')} questions like cards: none is asked twice until all have "
              "been.", "",
              "| system | rate msgs/s | served msgs/s | median ms | p95 ms | p99 ms | errors |",
              "|---|---|---|---|---|---|---|"]
    for name in ("baseline", "stack"):
        for p in report[name]["open_loop"]:
            lines.append(f"| {name} | {p['rate']} | {p['throughput']} | {p['median_ms']} | {p['p95_ms']} | "
                         f"{p['p99_ms']} | {p['errors']} |")
    memory = "; ".join(f"{name}: " + ", ".join(f"{k} {v}" for k, v in report[name]["memory_mb"].items())
                       for name in ("baseline", "stack"))
    lines += ["", f"Memory after the run (resident, MB): {memory}", ""]
    return "\n".join(lines)


def run_system(factory: Callable[[Path], Any], args: argparse.Namespace, levels: list[int],
               rates: list[float]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp, factory(Path(tmp)) as system:
        return measure(system, levels, rates, args.seconds, args.long_turns)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--levels", default="1,5,10,20,40")
    parser.add_argument("--rates", default="5,10,20,40", help="open-loop arrival rates, messages/s")
    parser.add_argument("--long-turns", type=int, default=200)
    parser.add_argument("--embedder", default="e5")
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    rates = [float(x) for x in args.rates.split(",")]
    report: dict[str, Any] = {
        "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {len(__import__('os').sched_getaffinity(0))} cores",
        "command": "make bench-rasa",
        "seconds": args.seconds,
        "embedder": args.embedder,
    }
    report["dev_questions"] = len(dev_questions(str(REPO / "faq_corpus" / "dev" / "faq_dev.jsonl")))
    report["baseline"] = run_system(baseline, args, levels, rates)
    report["stack"] = run_system(lambda logs: this_stack(logs, args.embedder), args, levels, rates)
    ratio = report["stack"]["saturation_msgs_per_s"] / report["baseline"]["saturation_msgs_per_s"]
    report["saturation_ratio"] = round(ratio, 2)
    report_files.write(RESULTS / "rasa_pipeline", report, markdown(report), indent=2)
    print(markdown(report))


if __name__ == "__main__":
    main()
