"""Long admin jobs (mining, publishing) run as child processes, one of each kind at a time.

They are CPU-heavy (embedding, training, evaluation), so they run outside the service's
event loop; their output goes to ``var/jobs/<kind>.log`` and their state is kept here.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from handoff.errors import Conflict

REPO = Path(__file__).resolve().parent.parent
TAIL_CHARS = 4000


@dataclass
class Job:
    kind: str
    argv: list[str]
    started_at: float
    log: Path
    process: asyncio.subprocess.Process | None = field(default=None, repr=False)
    finished_at: float | None = None
    exit_code: int | None = None

    def public(self) -> dict[str, object]:
        try:
            tail = self.log.read_text("utf-8", errors="replace")[-TAIL_CHARS:]
        except FileNotFoundError:
            tail = ""
        state = "running" if self.exit_code is None else ("done" if self.exit_code == 0 else "failed")
        return {"kind": self.kind, "state": state, "exit_code": self.exit_code, "started_at": self.started_at,
                "finished_at": self.finished_at, "output": tail}


class Jobs:
    def __init__(self, log_dir: Path, env: dict[str, str] | None = None) -> None:
        self.log_dir = log_dir
        self.env = env or {}
        self.jobs: dict[str, Job] = {}

    async def start(self, kind: str, args: list[str]) -> Job:
        current = self.jobs.get(kind)
        if current is not None and current.exit_code is None:
            since = time.strftime("%H:%M:%S", time.localtime(current.started_at))
            raise Conflict(f"a {kind} job is already running (since {since})")
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_dir / f"{kind}.log"
        argv = [sys.executable, "-m", "bot.admin", *args]
        with open(log, "wb") as out:
            process = await asyncio.create_subprocess_exec(
                *argv, cwd=REPO, stdout=out, stderr=asyncio.subprocess.STDOUT,
                env={**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1", **self.env})
        job = Job(kind, argv, time.time(), log, process)
        self.jobs[kind] = job
        asyncio.get_running_loop().create_task(self._wait(job))
        return job

    @staticmethod
    async def _wait(job: Job) -> None:
        if job.process is not None:
            job.exit_code = await job.process.wait()
        job.finished_at = time.time()

    def status(self) -> list[dict[str, object]]:
        return [job.public() for job in self.jobs.values()]
