"""A weekend like Żak's, played through the real stack at a compressed time scale.

    python -m bench.team [--moderators 2 3 4] [--scale 360] [--contacts 2386] [--seed 0]

For each moderator count it starts Redis, the action server (e5), Rasa with the project's
channels and the handoff service on a clock that runs ``--scale`` times faster than the wall
(``handoff.clock``), from Friday 18:00 Warsaw time. Customers (``bench.team_plan``) write in
the web widget over socket.io; moderators (``bench.team_actors``) sign in to the console's API for
their shifts, are assigned tickets automatically (one team, capacity 5), answer with think times
and hand over at the changes. Everything is measured in simulated minutes on the customers' side.
Writes bench/results/team.{json,md} and bench/results/team.svg.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import redis.asyncio as aioredis

from bench import report_files
from bench.mixed_load import BUILT_INDEX, MODEL, handoff_env, machine
from bench.report_files import RESULTS
from bench.team_actors import Desk, ModeratorLog, Outcome, WeekendClock, Widget, customer, moderator
from bench.team_plan import CONTACTS, HOURS, START, Contact, Shift, contacts, shifts
from bench.team_report import markdown, summary, svg
from bot.core import keys
from handoff.accounts import Accounts, Role
from ops.processes import (
    NO_RATE_LIMITS,
    REPO,
    RedisServer,
    action_server,
    copy_index,
    free_port,
    handoff_server,
    rasa_server,
    redis_env,
)

PASSWORD = "bench weekend password"
LEAD_SECONDS = 20.0  # the handoff service starts this long before the weekend's first instant
DRAIN_HOURS = 5  # after the window, people on duty finish what is open (until Sunday 23:00)
SAMPLE_SECONDS = 0.5  # real seconds between samples of the queue
# The handoff service for the weekend: people on duty around the clock (the shifts say who),
# a console seen within an hour of ticket time is open, and no caps meant for one abuser on
# loopback (every bench customer comes from 127.0.0.1).
WEEKEND_ENV = {"HANDOFF_OPENING_HOURS": "00:00-23:59:59", "HANDOFF_PRESENCE_SECONDS": "3600",
               "HANDOFF_NEW_TICKETS_PER_MINUTE": "100000", "HANDOFF_MAX_OPEN_TICKETS_PER_IP": "100000"}


@dataclass
class Stack:
    rasa_url: str
    handoff_url: str
    redis_url: str
    clock: WeekendClock


@contextmanager
def weekend_stack(work: Path, scale: float) -> Iterator[Stack]:
    """Redis, actions and Rasa, then the handoff service on the weekend's clock, which reads
    Friday 18:00 ``LEAD_SECONDS`` after Rasa is ready (time for the set-up and a warm-up)."""
    if not MODEL.exists() or not (BUILT_INDEX / "CURRENT").exists():
        raise SystemExit("no trained model or index: run `make model index` first")
    index_dir = copy_index(BUILT_INDEX, work / "index")
    redis_server = RedisServer(work)
    action_port, rasa_port, handoff_port = free_port(), free_port(), free_port()
    rasa_url, action_url = f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{action_port}"
    handoff_url = f"http://127.0.0.1:{handoff_port}"
    token, service_token = secrets.token_hex(16), secrets.token_hex(16)
    processes = [action_server(action_port, index_dir, "e5", work, {"HANDOFF_URL": handoff_url,
                                                                   "HANDOFF_SERVICE_TOKEN": service_token})]
    processes.append(rasa_server(MODEL, rasa_port, work, token, redis_env(redis_server.url, action_port)
                                 | NO_RATE_LIMITS))
    try:
        processes[0].wait_http(f"{action_url}/health", timeout=120)
        processes[1].wait_http(f"{rasa_url}/status?token={token}", timeout=300)
        clock = WeekendClock(time.time() + LEAD_SECONDS, START.timestamp(), scale)
        env = handoff_env(rasa_url, action_url, token, service_token, work) | WEEKEND_ENV | {
            "HANDOFF_TIME_SCALE": repr(clock.scale), "HANDOFF_TIME_ORIGIN": repr(clock.origin),
            "HANDOFF_TIME_START": repr(clock.start)}
        processes.append(handoff_server(handoff_port, redis_server.url, work, env))
        processes[2].wait_http(f"{handoff_url}/health", timeout=60)
        yield Stack(rasa_url, handoff_url, redis_server.url, clock)
    finally:
        for process in reversed(processes):
            process.stop()
        redis_server.stop()


async def prepare(stack: Stack, roster: list[Shift]) -> None:
    """Accounts for an admin and every shift, and one team of them all taking every ticket."""
    client = aioredis.from_url(stack.redis_url, decode_responses=True)
    try:
        accounts = Accounts(client)
        await accounts.create("admin", "Admin", Role.ADMIN, PASSWORD)
        for shift in roster:
            await accounts.create(shift.login, shift.login.split("-", 1)[1].title(), Role.MODERATOR, PASSWORD)
    finally:
        await client.aclose()
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        admin = Desk(http, stack.handoff_url, "admin")
        await admin.sign_in(PASSWORD)
        await admin.call("PUT", "/api/admin/teams/weekend", {"members": [s.login for s in roster], "fallback": True})
        await admin.call("PUT", "/api/status", {"status": "away"})  # the admin takes no tickets


def texts(rng: random.Random) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """First messages of customers who need a person (escalation examples labelled ``handoff``)
    and of those the bot can serve (held-out dev questions and ``no_handoff`` examples)."""
    labelled = [json.loads(line) for line in (REPO / "faq_corpus/labelled/escalation.jsonl").open(encoding="utf-8")]
    dev = [json.loads(line) for line in (REPO / "faq_corpus/dev/faq_dev.jsonl").open(encoding="utf-8")]
    person = [(r["text"], r["lang"]) for r in labelled if r["expected"] == "handoff"]
    routine = [(r["text"], r["lang"]) for r in labelled if r["expected"] == "no_handoff"] + \
        [(r["text"], r.get("lang", "pl")) for r in dev]
    rng.shuffle(person)
    rng.shuffle(routine)
    return person, routine


async def sample_queue(stack: Stack, outcomes: list[Outcome], done: asyncio.Event,
                       samples: list[tuple[float, int, int]]) -> None:
    """(simulated time, tickets waiting for assignment, customers waiting for a first reply) every half second."""
    client, clock = aioredis.from_url(stack.redis_url, decode_responses=True), stack.clock
    try:
        while not done.is_set():
            unassigned = int(await client.zcard(keys.QUEUE))
            waiting = sum(o.handed_over_at is not None and o.first_reply_at is None and not o.error for o in outcomes)
            samples.append((clock.now(), unassigned, waiting))
            await asyncio.sleep(SAMPLE_SECONDS)
    finally:
        await client.aclose()


def next_shift(roster: list[Shift], shift: Shift) -> list[str]:
    """Who takes over ``shift``'s open tickets: the people already in at its change."""
    return [n.login for n in roster if n.starts < shift.ends < n.ends]


async def play(stack: Stack, plan: list[Contact], roster: list[Shift], seed: int) -> dict[str, Any]:
    clock, rng = stack.clock, random.Random(seed)
    person, routine = texts(rng)
    done, outcomes, samples = asyncio.Event(), [], []  # type: ignore[var-annotated]
    end = START + timedelta(hours=HOURS + DRAIN_HOURS)
    last_change = max(s.ends for s in roster)
    desks = [asyncio.create_task(moderator(s, next_shift(roster, s), stack.handoff_url, PASSWORD, clock, done,
                                           random.Random(f"{seed}:{s.login}"), s.ends == last_change))
             for s in roster]
    sampler = asyncio.create_task(sample_queue(stack, outcomes, done, samples))
    customers: list[asyncio.Task[None]] = []
    counts = {"person": 0, "routine": 0}
    for contact in plan:
        await clock.until(contact.at)
        kind = "person" if contact.needs_person else "routine"
        pool = person if contact.needs_person else routine
        first = pool[counts[kind] % len(pool)]
        counts[kind] += 1
        outcomes.append(Outcome(contact))
        customers.append(asyncio.create_task(customer(contact, first, stack.rasa_url, clock, done,
                                                      random.Random(contact.at), outcomes[-1])))
    await asyncio.wait(customers, timeout=max(1.0, (end.timestamp() - clock.now()) / clock.scale))
    await drained(stack, end.timestamp())  # people on duty resolve what is still open
    done.set()
    await asyncio.gather(*customers, return_exceptions=True)
    logs: list[ModeratorLog] = [log for log in await asyncio.gather(*desks, return_exceptions=True)
                                if isinstance(log, ModeratorLog)]
    sampler.cancel()
    tickets = await read_tickets(stack)
    return {"outcomes": outcomes, "samples": samples, "moderators": logs, "tickets": tickets,
            "finished_at": clock.now()}


async def drained(stack: Stack, end: float) -> None:
    client = aioredis.from_url(stack.redis_url, decode_responses=True)
    try:
        while await client.scard(keys.OPEN) and stack.clock.now() < end:
            await asyncio.sleep(SAMPLE_SECONDS)
    finally:
        await client.aclose()


async def read_tickets(stack: Stack) -> list[dict[str, str]]:
    client = aioredis.from_url(stack.redis_url, decode_responses=True)
    try:
        return [await client.hgetall(keys.ticket(t)) for t in await client.zrange(keys.ALL, 0, -1)]
    finally:
        await client.aclose()


async def warm_up(rasa_url: str) -> None:
    widget = Widget(rasa_url)
    await widget.open()
    await widget.say("cześć")
    await widget.close()


def one_run(day_staff: int, args: argparse.Namespace) -> dict[str, Any]:
    plan = contacts(random.Random(args.seed), args.contacts)
    roster = shifts(day_staff)
    with tempfile.TemporaryDirectory(prefix="bench-team-") as tmp, weekend_stack(Path(tmp), args.scale) as stack:
        asyncio.run(_setup(stack, roster))
        if time.time() > stack.clock.origin:
            raise SystemExit(f"the set-up took over {LEAD_SECONDS:g} s: the weekend began without people")
        load_before = round(os.getloadavg()[0], 2)
        raw = asyncio.run(play(stack, plan, roster, args.seed))
    return summary(day_staff, raw, plan, roster, args.scale) | {"load_average_before": load_before}


async def _setup(stack: Stack, roster: list[Shift]) -> None:
    await prepare(stack, roster)
    await warm_up(stack.rasa_url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--moderators", type=int, nargs="+", default=[2, 3, 4],
                        help="people on each day shift (the night shift has one)")
    parser.add_argument("--scale", type=float, default=360.0, help="simulated seconds per real second")
    parser.add_argument("--contacts", type=int, default=CONTACTS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--report-only", action="store_true",
                        help="rewrite team.md and team.svg from the last run's team.json, running nothing")
    args = parser.parse_args()
    if args.report_only:
        result = json.loads((RESULTS / "team.json").read_text())
        (RESULTS / "team.md").write_text(markdown(result))
        (RESULTS / "team.svg").write_text(svg(result))
        print(markdown(result))
        return
    runs = [one_run(n, args) for n in args.moderators]
    result = {"measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
              "command": f"python -m bench.team --moderators {' '.join(map(str, args.moderators))} "
                         f"--scale {args.scale:g} --contacts {args.contacts} --seed {args.seed}",
              "machine": machine(), "cores": len(os.sched_getaffinity(0)), "runs": runs}
    report_files.write(RESULTS / "team", result, markdown(result), indent=2)
    (RESULTS / "team.svg").write_text(svg(result))
    print(markdown(result))


if __name__ == "__main__":
    main()
