"""Many customers at once on the full stack, over REST and the web widget's socket.io.

    python -m bench.mixed_load [--rate 20] [--seconds 30] [--seed 0]

Starts Redis, the action server, Rasa (credentials.yml and endpoints.yml; Messenger off) and
the handoff service, as `make run` does. Messages arrive open loop (Poisson, ``--rate`` a
second). Each arrival is the next turn of a conversation waiting for its customer, or opens
a new one on a channel picked at random (half REST, half socket.io) with a script: a
greeting, held-out dev-set questions, small talk and, in one conversation of ten, a request
for a person, after which the customer waits for people and says nothing more.
Writes bench/results/mixed_load.{json,md}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import secrets
import tempfile
import time
import uuid
from collections import Counter, deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import aiohttp
import redis
import socketio

from bench import report_files
from bench.load import dev_questions, latency_summary, memory_mb
from bench.report_files import RESULTS
from bot.core import keys
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

MODEL = REPO / "models" / "current.tar.gz"
BUILT_INDEX = REPO / "var" / "index"  # `make index`

GREETINGS = ("cześć", "dzień dobry", "hello")
SMALL_TALK = ("dzięki", "ok", "hej")
ASK_FOR_PERSON = ("chcę rozmawiać z konsultantem", "poproszę człowieka", "can I talk to a human?")
MIN_TURNS, MAX_TURNS = 2, 8
SMALL_TALK_SHARE = 0.2  # of the turns after the greeting; the rest are dev-set questions
HANDOFF_SHARE = 0.1  # of conversations
CHANNELS = ("rest", "socketio")
REPLY_TIMEOUT = 10.0  # seconds without the first message of a reply: a timeout (both channels)
# A turn's later messages (the queue state after the handoff text) follow its first within
# this quiet time; the customer types the next turn only after it.
SETTLE_SECONDS = 0.5


class Deck:
    """Questions dealt like cards: none twice until every one has been asked."""

    def __init__(self, questions: Sequence[str], rng: random.Random) -> None:
        self._questions, self._rng = list(questions), rng
        self._cards: list[str] = []

    def deal(self) -> str:
        if not self._cards:
            self._cards = list(self._questions)
            self._rng.shuffle(self._cards)
        return self._cards.pop()


@dataclass(frozen=True)
class Script:
    channel: str
    texts: tuple[str, ...]
    asks_for_person: bool  # the last text asks for a person


def new_script(rng: random.Random, deck: Deck) -> Script:
    """A greeting, then questions and small talk; one in ten asks for a person at a random turn and stops."""
    length = rng.randint(MIN_TURNS, MAX_TURNS)
    handoff_at = rng.randint(1, length - 1) if rng.random() < HANDOFF_SHARE else None
    texts = [rng.choice(GREETINGS)]
    for turn in range(1, length):
        if turn == handoff_at:
            texts.append(rng.choice(ASK_FOR_PERSON))
            break
        texts.append(rng.choice(SMALL_TALK) if rng.random() < SMALL_TALK_SHARE else deck.deal())
    return Script(rng.choice(CHANNELS), tuple(texts), handoff_at is not None)


def handoff_state(replies: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """The queue state a reply gives the customer (``custom.handoff``), if it hands over to people."""
    for reply in replies:
        state = (reply.get("custom") or {}).get("handoff")
        if isinstance(state, dict):
            return state
    return None


def format_ms(value: float) -> str:
    if value != value:  # NaN: nothing measured
        return "n/a"
    if value >= 1000:
        return f"{value / 1000:.2f} s"
    return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"


@dataclass
class ChannelStats:
    conversations: int = 0
    sent: int = 0
    errors: int = 0
    timeouts: int = 0
    latencies_ms: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {"conversations": self.conversations, "messages": self.sent, "answered": len(self.latencies_ms),
                **latency_summary(self.latencies_ms), "errors": self.errors, "timeouts": self.timeouts}


def overall(parts: Sequence[ChannelStats]) -> ChannelStats:
    return ChannelStats(sum(p.conversations for p in parts), sum(p.sent for p in parts),
                        sum(p.errors for p in parts), sum(p.timeouts for p in parts),
                        [ms for p in parts for ms in p.latencies_ms])


@dataclass
class Turn:
    latency_ms: float  # from sending to the first message of the reply
    replies: list[dict[str, Any]]


class Customer(Protocol):
    conversation_id: str

    async def open(self) -> None: ...
    async def say(self, text: str) -> Turn: ...
    async def close(self) -> None: ...


class RestCustomer:
    def __init__(self, http: aiohttp.ClientSession, rasa_url: str) -> None:
        self.http, self.url = http, f"{rasa_url}/webhooks/rest/webhook"
        self.conversation_id = f"bench-{uuid.uuid4().hex[:12]}"

    async def open(self) -> None:
        pass

    async def say(self, text: str) -> Turn:
        started = time.perf_counter()
        timeout = aiohttp.ClientTimeout(total=REPLY_TIMEOUT)
        async with self.http.post(self.url, json={"sender": self.conversation_id, "message": text},
                                  timeout=timeout) as response:
            body = await response.json()
            if response.status != 200:
                raise RuntimeError(f"HTTP {response.status}")
        return Turn((time.perf_counter() - started) * 1000, list(body))

    async def close(self) -> None:
        pass


class WidgetCustomer:
    """The widget's way: ``session_request`` for a ``web:<uuid4>`` id, then ``user_uttered``."""

    def __init__(self, rasa_url: str) -> None:
        self.url = rasa_url
        self.conversation_id = f"web:{uuid.uuid4()}"
        self.client = socketio.AsyncClient(reconnection=False)
        self.inbox: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        for event in ("bot_uttered", "session_confirm", "error"):
            self.client.on(event, self._receiver(event))

    def _receiver(self, event: str) -> Any:
        async def receive(data: Any) -> None:
            await self.inbox.put((event, data))
        return receive

    async def _next(self, timeout: float) -> tuple[str, Any]:
        event, data = await asyncio.wait_for(self.inbox.get(), timeout)
        if event == "error":
            raise RuntimeError(f"socket.io error: {data}")
        return event, data

    async def open(self) -> None:
        await self.client.connect(self.url, socketio_path="/socket.io", transports=["websocket"],
                                  wait_timeout=REPLY_TIMEOUT)
        await self.client.emit("session_request", {"session_id": self.conversation_id})
        await self._next(REPLY_TIMEOUT)

    async def say(self, text: str) -> Turn:
        while not self.inbox.empty():
            self.inbox.get_nowait()  # a late message of an earlier turn is not this turn's reply
        started = time.perf_counter()
        await self.client.emit("user_uttered", {"message": text})
        replies = [(await self._next(REPLY_TIMEOUT))[1]]
        latency = (time.perf_counter() - started) * 1000
        while True:
            try:
                replies.append((await self._next(SETTLE_SECONDS))[1])
            except asyncio.TimeoutError:
                return Turn(latency, replies)

    async def close(self) -> None:
        if self.client.connected:
            await self.client.disconnect()


@dataclass
class Conversation:
    script: Script
    customer: Customer
    turn: int = 0


FAILURES = (aiohttp.ClientError, RuntimeError, ValueError, OSError, socketio.exceptions.SocketIOError)


class MixedLoad:
    """The open loop: Poisson arrivals, each the next turn of an idle conversation or a new one."""

    def __init__(self, rasa_url: str, questions: Sequence[str], rate: float, seconds: float, seed: int) -> None:
        self.rasa_url, self.rate, self.seconds = rasa_url, rate, seconds
        self.rng = random.Random(seed)
        self.deck, self.dev_questions = Deck(questions, self.rng), len(questions)
        self.stats = {channel: ChannelStats() for channel in CHANNELS}
        self.idle: deque[Conversation] = deque()
        self.requested: list[str] = []  # conversations that asked for a person
        self.queue_replies = 0  # of those, replies that gave a place in the queue
        self.unasked: list[str] = []  # conversations the bot handed over without being asked

    def _new(self, http: aiohttp.ClientSession) -> Conversation:
        script = new_script(self.rng, self.deck)
        self.stats[script.channel].conversations += 1
        customer: Customer = RestCustomer(http, self.rasa_url) if script.channel == "rest" \
            else WidgetCustomer(self.rasa_url)
        return Conversation(script, customer)

    async def _step(self, conversation: Conversation) -> None:
        stats, script = self.stats[conversation.script.channel], conversation.script
        stats.sent += 1
        try:
            if conversation.turn == 0:
                await conversation.customer.open()
            turn = await conversation.customer.say(script.texts[conversation.turn])
        except asyncio.TimeoutError:
            stats.timeouts += 1
        except FAILURES:
            stats.errors += 1
        else:
            stats.latencies_ms.append(turn.latency_ms)
            conversation.turn += 1
            state = handoff_state(turn.replies)
            self._note_handoff(conversation, state)
            if conversation.turn < len(script.texts) and state is None:
                self.idle.append(conversation)
                return
        await conversation.customer.close()  # done, failed, or waiting for people: the bot stays silent

    def _note_handoff(self, conversation: Conversation, state: dict[str, Any] | None) -> None:
        asked = conversation.script.asks_for_person and conversation.turn == len(conversation.script.texts)
        if asked:
            self.requested.append(conversation.customer.conversation_id)
            if state is not None and "position" in state:
                self.queue_replies += 1
        elif state is not None:
            self.unasked.append(conversation.customer.conversation_id)

    async def run(self) -> float:
        """Seconds from the first arrival until the last reply."""
        tasks: list[asyncio.Task[None]] = []
        started = time.perf_counter()
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
            next_at = started
            while next_at - started < self.seconds:
                await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
                conversation = self.idle.popleft() if self.idle else self._new(http)
                tasks.append(asyncio.create_task(self._step(conversation)))
                next_at += self.rng.expovariate(self.rate)
            await asyncio.gather(*tasks)
            elapsed = time.perf_counter() - started
            await asyncio.gather(*(c.customer.close() for c in self.idle))
        return elapsed


@dataclass
class Stack:
    rasa_url: str
    redis_url: str
    pids: dict[str, int]


def handoff_env(rasa_url: str, action_url: str, token: str, service_token: str, work: Path) -> dict[str, str]:
    """The handoff service's settings, its files under ``work`` (nothing written to var/)."""
    return {"PUBLIC_RASA_URL": rasa_url, "RASA_URL": rasa_url, "RASA_TOKEN": token,
            "HANDOFF_SERVICE_TOKEN": service_token, "ACTION_URL": action_url, "HANDOFF_CONSUMER": "bench-handoff",
            "INDEX_DIR": str(work / "index"), "PROPOSALS_FILE": str(work / "proposals.json"),
            "ARCHIVE_DIR": str(work / "archive"), "APPROVED_DIR": str(work / "approved"),
            "PUBLISH_LOG": str(work / "publish.log"), "JOBS_DIR": str(work / "jobs")}


@contextmanager
def full_stack(work: Path) -> Iterator[Stack]:
    """Redis, the action server, Rasa with the project's channels and the handoff service, ready."""
    if not MODEL.exists() or not (BUILT_INDEX / "CURRENT").exists():
        raise SystemExit("no trained model or index: run `make model index` first")
    index_dir = copy_index(BUILT_INDEX, work / "index")
    redis_server = RedisServer(work)
    action_port, rasa_port, handoff_port = free_port(), free_port(), free_port()
    rasa_url, action_url = f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{action_port}"
    token, service_token = secrets.token_hex(16), secrets.token_hex(16)
    actions = action_server(action_port, index_dir, "e5", work, {
        "HANDOFF_URL": f"http://127.0.0.1:{handoff_port}", "HANDOFF_SERVICE_TOKEN": service_token})
    rasa = rasa_server(MODEL, rasa_port, work, token, redis_env(redis_server.url, action_port) | NO_RATE_LIMITS)
    handoff = handoff_server(handoff_port, redis_server.url, work,
                             handoff_env(rasa_url, action_url, token, service_token, work))
    try:
        actions.wait_http(f"{action_url}/health", timeout=120)
        handoff.wait_http(f"http://127.0.0.1:{handoff_port}/health", timeout=60)
        rasa.wait_http(f"{rasa_url}/status?token={token}", timeout=300)
        yield Stack(rasa_url, redis_server.url, {"rasa": rasa.proc.pid, "actions": actions.proc.pid,
                                                 "handoff": handoff.proc.pid, "redis": redis_server.pid})
    finally:
        for process in (rasa, handoff, actions):
            process.stop()
        redis_server.stop()


async def warm_up(rasa_url: str) -> None:
    """One short conversation per channel with fixed texts (no dev question), not reported."""
    async with aiohttp.ClientSession() as http:
        for customer in (RestCustomer(http, rasa_url), WidgetCustomer(rasa_url)):
            await customer.open()
            for text in ("cześć", "ok", "dzięki"):
                await customer.say(text)
            await customer.close()


def count_tickets(redis_url: str, requested: Sequence[str]) -> dict[str, Any]:
    """Tickets of the conversations that asked for a person, all tickets, and the brain's
    reasons on the tickets of conversations that did not ask (counted per reason)."""
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    try:
        opened = sum(1 for cid in requested if client.llen(keys.conversation_tickets(cid)))
        asked, unasked = set(requested), Counter[str]()
        for ticket_id in client.zrange(keys.ALL, 0, -1):
            ticket = client.hgetall(keys.ticket(ticket_id))
            if ticket.get("conversation_id") not in asked:
                unasked.update(json.loads(ticket.get("reasons") or "[]"))
        return {"tickets_for_requests": opened, "tickets_total": int(client.zcard(keys.ALL)),
                "unasked_reasons": dict(unasked.most_common())}
    finally:
        client.close()


def machine() -> str:
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                 if line.startswith("model name")]
        model = names[0] if names else model
    return f"{platform.machine()}, {model}"


def report(load: MixedLoad, elapsed: float, tickets: dict[str, Any], memory: dict[str, float],
           args: argparse.Namespace, load_before: float) -> dict[str, Any]:
    channels = {name: s.summary() for name, s in load.stats.items()}
    channels["overall"] = overall(list(load.stats.values())).summary()
    return {
        "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "command": f"python -m bench.mixed_load --rate {args.rate:g} --seconds {args.seconds:g} --seed {args.seed}",
        "machine": machine(), "cores": len(os.sched_getaffinity(0)), "load_average_before": load_before,
        "rate": args.rate, "seconds": args.seconds, "seed": args.seed, "elapsed_s": round(elapsed, 2),
        "served_msgs_per_s": round(channels["overall"]["answered"] / elapsed, 1),
        "reply_timeout_s": REPLY_TIMEOUT, "dev_questions": load.dev_questions,
        "mix": {"turns": f"{MIN_TURNS}-{MAX_TURNS}", "greetings": GREETINGS, "small_talk": SMALL_TALK,
                "small_talk_share": SMALL_TALK_SHARE, "handoff_share": HANDOFF_SHARE,
                "ask_for_person": ASK_FOR_PERSON, "channels": CHANNELS},
        "channels": channels,
        "handoffs": {"requested": len(load.requested), "told_place_in_queue": load.queue_replies, **tickets,
                     "handed_over_unasked": len(load.unasked)},
        "memory_mb": memory,
    }


def markdown(r: dict[str, Any]) -> str:
    mix = r["mix"]
    lines = [
        "# Mixed load: REST and socket.io customers on the full stack", "",
        f"Measured {r['measured_at']} on {r['machine']}, {r['cores']} cores (load average "
        f"{r['load_average_before']} before the run); command: `{r['command']}`.", "",
        f"Open loop: Poisson arrivals at {r['rate']:g} messages/s for {r['seconds']:g} s "
        f"({r['elapsed_s']} s until the last reply; {r['served_msgs_per_s']} answered messages/s). Each new "
        f"conversation is REST or socket.io at random (half each) with {mix['turns']} turns: a greeting, then "
        f"questions dealt from the {r['dev_questions']} held-out dev-set questions (none twice until all were "
        f"asked) and small talk ({', '.join(mix['small_talk'])}; {mix['small_talk_share']:.0%} of the turns); "
        f"{mix['handoff_share']:.0%} of conversations ask for a person at a random turn "
        f"({'; '.join(mix['ask_for_person'])}) and stop there. Stack: Redis, the action server (e5), Rasa "
        "with credentials.yml and endpoints.yml (Messenger off), the handoff service.", "",
        "Latency: from sending a message to the first bot message of its reply (socket.io) or the HTTP "
        f"response (REST), not counting a new socket.io customer's connection; no reply within "
        f"{r['reply_timeout_s']:g} s is a timeout.", "",
        "| channel | conversations | messages | median | p95 | p99 | errors | timeouts |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, c in r["channels"].items():
        lines.append(f"| {name} | {c['conversations']} | {c['messages']} | {format_ms(c['median_ms'])} | "
                     f"{format_ms(c['p95_ms'])} | {format_ms(c['p99_ms'])} | {c['errors']} | {c['timeouts']} |")
    h = r["handoffs"]
    memory = ", ".join(f"{name} {mb}" for name, mb in r["memory_mb"].items())
    lines += ["", f"Handoffs: {h['requested']} requested, {h['told_place_in_queue']} told their place in the "
              f"queue, {h['tickets_for_requests']} with a ticket in Redis; {h['handed_over_unasked']} "
              f"conversations handed over without asking; {h['tickets_total']} tickets in all. The brain's "
              "reasons on the tickets of conversations that did not ask: "
              f"{', '.join(f'{k} {v}' for k, v in h.get('unasked_reasons', {}).items()) or 'none'}.", "",
              f"Memory after the run (resident, MB): {memory}.", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=20, help="messages/s")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    questions = dev_questions(str(REPO / "faq_corpus" / "dev" / "faq_dev.jsonl"))
    with tempfile.TemporaryDirectory(prefix="bench-mixed-") as tmp, full_stack(Path(tmp)) as stack:
        asyncio.run(warm_up(stack.rasa_url))
        load_before = round(os.getloadavg()[0], 2)
        load = MixedLoad(stack.rasa_url, questions, args.rate, args.seconds, args.seed)
        elapsed = asyncio.run(load.run())
        memory = memory_mb({**stack.pids, "bench client": os.getpid()})
        result = report(load, elapsed, count_tickets(stack.redis_url, load.requested), memory, args, load_before)
    report_files.write(RESULTS / "mixed_load", result, markdown(result), indent=2)
    print(markdown(result))


if __name__ == "__main__":
    main()
