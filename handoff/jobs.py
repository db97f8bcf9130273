"""Long admin jobs (mining, publishing) run as child processes, one of each kind at a time.

They are CPU-heavy (embedding, training, evaluation), so they run outside the service's
event loop; their output goes to ``var/jobs/<kind>.log``. A job's record lives in Redis
(``ho:job:<kind>``), so every replica of the service reports it and refuses a second one of
the same kind; the replica running it renews a lease (``ho:job:<kind>:lease``) while the
child runs, and a job whose replica died without finishing it is reported as failed once
the lease expired.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import sys
import time
from pathlib import Path
from typing import Any

from redis.asyncio import Redis

from bot.core import keys
from handoff.errors import Conflict

REPO = Path(__file__).resolve().parent.parent
TAIL_CHARS = 4000
KINDS = ("mine", "publish")
LEASE_SECONDS = 30
RENEW_SECONDS = 10


def _tail(log: Path) -> str:
    try:
        return log.read_text("utf-8", errors="replace")[-TAIL_CHARS:]
    except FileNotFoundError:
        return ""


class Jobs:
    def __init__(self, log_dir: Path, client: Redis, env: dict[str, str] | None = None) -> None:
        self.log_dir = log_dir
        self.redis: Any = client
        self.env = env or {}
        self._tasks: set[asyncio.Task[None]] = set()

    def _lease(self, kind: str) -> str:
        return keys.job(kind) + ":lease"

    async def start(self, kind: str, args: list[str]) -> dict[str, object]:
        token = secrets.token_hex(8)
        if not await self.redis.set(self._lease(kind), token, nx=True, ex=LEASE_SECONDS):
            started = float(await self.redis.hget(keys.job(kind), "started_at") or time.time())
            since = time.strftime("%H:%M:%S", time.localtime(started))
            raise Conflict(f"a {kind} job is already running (since {since})")
        log = self.log_dir / f"{kind}.log"
        try:
            process = await self._spawn(args, log)
        except BaseException:
            await self.redis.delete(self._lease(kind))
            raise
        await self.redis.delete(keys.job(kind))
        record = {"kind": kind, "state": "running", "started_at": repr(time.time()), "log": str(log)}
        await self.redis.hset(keys.job(kind), mapping=record)
        task = asyncio.get_running_loop().create_task(self._wait(kind, token, process, log))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return await self.get(kind) or {}

    async def _spawn(self, args: list[str], log: Path) -> asyncio.subprocess.Process:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with open(log, "wb") as out:
            return await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot.admin", *args, cwd=REPO, stdout=out, stderr=asyncio.subprocess.STDOUT,
                env={**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1", **self.env})

    async def _wait(self, kind: str, token: str, process: asyncio.subprocess.Process, log: Path) -> None:
        """Renew the lease while the child runs, then record how it ended and free the kind."""
        while True:
            try:
                code = await asyncio.wait_for(asyncio.shield(process.wait()), RENEW_SECONDS)
                break
            except asyncio.TimeoutError:
                await self.redis.set(self._lease(kind), token, ex=LEASE_SECONDS)
        await self.redis.hset(keys.job(kind), mapping={
            "state": "done" if code == 0 else "failed", "exit_code": str(code), "finished_at": repr(time.time()),
            "output": _tail(log)})
        await self.redis.delete(self._lease(kind))

    async def get(self, kind: str) -> dict[str, object] | None:
        raw = await self.redis.hgetall(keys.job(kind))
        if not raw:
            return None
        record = {(k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
                  for k, v in raw.items()}
        state, code = record["state"], record.get("exit_code")
        output = record.get("output") or (_tail(Path(record["log"])) if record.get("log") else "")
        if state == "running" and not await self.redis.exists(self._lease(kind)):
            state, output = "failed", output + "\n(the service running this job stopped before it ended)"
        finished = record.get("finished_at")
        return {"kind": kind, "state": state, "exit_code": int(code) if code is not None else None,
                "started_at": float(record["started_at"]), "finished_at": float(finished) if finished else None,
                "output": output}

    async def status(self) -> list[dict[str, object]]:
        jobs = [await self.get(kind) for kind in KINDS]
        return [job for job in jobs if job is not None]
