"""A replicated Redis on loopback: a master, a replica and three Sentinels (Debian's redis-server
and redis-sentinel), for tests and the failover run (``make test-failover``).

The shape production uses (README, "Deploy"), shrunk onto one machine, from the files production
gets: every data node includes ``ops/redis/replicated.conf`` (``appendfsync always``,
``min-replicas-to-write 0`` and why), a demoted master authenticates to the new one
(``masterauth``), and the Sentinels run ``ops/redis/sentinel.conf`` (a quorum of two) with loopback
addresses and a shorter down-after.
"""

from __future__ import annotations

import secrets
import shutil
import signal
import subprocess
import time
from pathlib import Path

import redis

from bot.core.redis_config import RedisConfig
from ops.processes import REPO, free_ports, wait_ping

MASTER_NAME = "careassist"  # as in ops/redis/sentinel.conf
QUORUM = 2
NODE_SETTINGS = REPO / "ops" / "redis" / "replicated.conf"
SENTINEL_TEMPLATE = REPO / "ops" / "redis" / "sentinel.conf"


class DataNode:
    """One redis-server of the group (the master, or a replica of ``master_port``)."""

    def __init__(self, directory: Path, port: int, password: str, master_port: int | None = None) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.port, self.directory, self._password = port, directory, password
        conf = directory / "redis.conf"
        lines = [f"include {NODE_SETTINGS}", f'requirepass "{password}"', f'masterauth "{password}"',
                 "bind 127.0.0.1", f"port {port}", f"dir {directory}"]
        if master_port is not None:
            lines.append(f"replicaof 127.0.0.1 {master_port}")
        conf.touch(mode=0o600)
        conf.write_text("".join(f"{line}\n" for line in lines))  # redis-server rewrites it on a failover
        self._conf = conf
        self._proc: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed: run `make setup`")
        log = open(self.directory / "redis.log", "ab")  # noqa: SIM115 - the child holds it
        self._proc = subprocess.Popen([binary, str(self._conf)], stdout=log, stderr=subprocess.STDOUT)
        log.close()
        wait_ping(self.client(), 10.0, f"redis-server on port {self.port}")

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, password=self._password, socket_timeout=2, socket_connect_timeout=2)

    @property
    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def kill(self) -> None:
        """SIGKILL: no shutdown, no last fsync beyond what ``appendfsync always`` already did."""
        if self._proc is not None:
            self._proc.send_signal(signal.SIGKILL)
            self._proc.wait(timeout=10)

    def stop(self) -> None:
        if self.alive and self._proc is not None:
            self._proc.terminate()
            self._proc.wait(timeout=10)


class Sentinel:
    def __init__(self, directory: Path, port: int, master_port: int, password: str, down_after_ms: int) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        binary = shutil.which("redis-sentinel")
        if binary is None:
            raise RuntimeError("redis-sentinel is not installed: run `make setup` (Debian's redis-sentinel)")
        self.port = port
        conf = directory / "sentinel.conf"
        places = {"<sentinel-port>": str(port), "<this-machine's-address>": "127.0.0.1",
                  "<master-host>": "127.0.0.1", "<master-port>": str(master_port), "<redis-password>": f'"{password}"',
                  "/var/lib/redis": str(directory), "down-after-milliseconds careassist 5000":
                  f"down-after-milliseconds careassist {down_after_ms}", "failover-timeout careassist 15000":
                  f"failover-timeout careassist {max(3 * down_after_ms, 3000)}"}
        text = SENTINEL_TEMPLATE.read_text()
        for place, value in places.items():
            if place not in text:
                raise RuntimeError(f"{SENTINEL_TEMPLATE} has no {place!r} any more: update ops/redis_sentinels.py")
            text = text.replace(place, value)
        conf.touch(mode=0o600)
        conf.write_text(text)  # the Sentinel rewrites it
        log = open(directory / "sentinel.log", "ab")  # noqa: SIM115 - the child holds it
        self._proc = subprocess.Popen([binary, str(conf)], stdout=log, stderr=subprocess.STDOUT)
        log.close()
        wait_ping(redis.Redis(port=port, socket_timeout=2, socket_connect_timeout=2), 10.0, f"sentinel on {port}")

    def master(self) -> tuple[str, int] | None:
        try:
            reply = redis.Redis(port=self.port, socket_timeout=1, socket_connect_timeout=1,
                                decode_responses=True).sentinel_get_master_addr_by_name(MASTER_NAME)
        except redis.RedisError:
            return None
        return (str(reply[0]), int(reply[1])) if isinstance(reply, (list, tuple)) and reply else None

    def stop(self) -> None:
        if self._proc.poll() is None:
            self._proc.terminate()
            self._proc.wait(timeout=10)


class SentinelGroup:
    """Master + replica + three Sentinels under ``directory``, on free loopback ports."""

    def __init__(self, directory: Path, down_after_ms: int = 1000, password: str | None = None) -> None:
        self.password = password or secrets.token_urlsafe(16)
        ports = free_ports(5)
        self.nodes: list[DataNode] = []
        self.sentinels: list[Sentinel] = []
        try:  # a group that does not come up leaves no process behind
            self.nodes.append(DataNode(directory / "node0", ports[0], self.password))
            self.nodes.append(DataNode(directory / "node1", ports[1], self.password, master_port=ports[0]))
            self._wait_replica_online(self.nodes[0], 15.0)
            for i, port in enumerate(ports[2:]):
                self.sentinels.append(Sentinel(directory / f"sentinel{i}", port, ports[0], self.password,
                                               down_after_ms))
            self._wait_sentinels_agree(15.0)
        except BaseException:
            self.stop()
            raise

    @property
    def config(self) -> RedisConfig:
        """What the product's processes get: REDIS_URL (password, db) and the Sentinels."""
        return RedisConfig(password=self.password, sentinels=tuple(("127.0.0.1", s.port) for s in self.sentinels),
                           sentinel_master=MASTER_NAME)

    def env(self) -> dict[str, str]:
        """REDIS_URL and REDIS_SENTINEL* for a child process (the URL's host is never used)."""
        config = self.config
        return {"REDIS_URL": RedisConfig(password=self.password).full_url(),
                "REDIS_SENTINELS": config.sentinel_list(), "REDIS_SENTINEL_MASTER": MASTER_NAME}

    def master(self) -> DataNode:
        """The node the Sentinels name as master now."""
        address = self._agreed_master()
        if address is None:
            raise RuntimeError("the Sentinels name no master")
        return next(node for node in self.nodes if node.port == address[1])

    def kill_master(self) -> DataNode:
        node = self.master()
        node.kill()
        return node

    def wait_failover(self, old: DataNode, timeout: float = 30.0) -> float:
        """Seconds until a quorum of Sentinels names another master and it takes writes."""
        started = time.monotonic()
        deadline = started + timeout
        while time.monotonic() < deadline:
            address = self._agreed_master()
            if address is not None and address[1] != old.port:
                node = next(n for n in self.nodes if n.port == address[1])
                try:
                    if node.client().set("failover:probe", "1"):
                        return time.monotonic() - started
                except redis.RedisError:
                    pass
            time.sleep(0.05)
        raise TimeoutError(f"no failover within {timeout:.0f} s")

    def rejoin(self, node: DataNode, timeout: float = 60.0) -> None:
        """Start a killed node again: the Sentinels make it a replica of the new master. They do so
        only once it has answered for a few seconds and at their next look at it (INFO every 10 s),
        then it syncs: about 20-30 s on 2 busy cores, so 30 s was once too short (Redis's own
        Sentinel tests wait up to 50 s)."""
        node.start()
        master = self.master()
        self._wait_replica_online(master, timeout)

    def stop(self) -> None:
        for sentinel in self.sentinels:
            sentinel.stop()
        for node in self.nodes:
            node.stop()

    def _agreed_master(self) -> tuple[str, int] | None:
        named = [s.master() for s in self.sentinels]
        for address in {a for a in named if a is not None}:
            if named.count(address) >= QUORUM:
                return address
        return None

    def _wait_replica_online(self, master: DataNode, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                info = master.client().info("replication")
                replica = info.get("slave0") or {}  # redis-py parses "ip=…,state=online,…" into a dict
                if int(info.get("connected_slaves", 0)) >= 1 and replica.get("state") == "online":
                    return
            except redis.RedisError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"no replica online at port {master.port} within {timeout:.0f} s")

    def _wait_sentinels_agree(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._agreed_master() is not None and self._sentinels_see_each_other():
                return
            time.sleep(0.1)
        raise TimeoutError(f"the Sentinels did not agree on a master within {timeout:.0f} s")

    def _sentinels_see_each_other(self) -> bool:
        for sentinel in self.sentinels:
            state = sentinel_state(sentinel.port)
            if int(str(state.get("num-other-sentinels", 0))) < len(self.sentinels) - 1:
                return False
            if int(str(state.get("num-slaves", 0))) < 1:
                return False
        return True


def sentinel_state(port: int) -> dict[str, object]:
    """``SENTINEL MASTER <name>`` (redis-py parses it: ``num-other-sentinels``, ``num-slaves``…)."""
    try:
        state = redis.Redis(port=port, socket_timeout=1).sentinel_master(MASTER_NAME)
    except redis.RedisError:
        return {}
    return dict(state) if isinstance(state, dict) else {}
