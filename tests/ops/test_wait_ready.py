"""``python -m ops.wait_ready``: the units' ExecStartPost waits for /ready and tells the journal
why it is still waiting, each reason once."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ops.processes import REPO

NOT_READY = (b'{"status": "not ready", '
             b'"reason": "redis unreachable (ConnectionError) at redis://h:1/0: check REDIS_URL"}')


@pytest.fixture
def service() -> Iterator[tuple[str, list[int]]]:
    """/ready answers 503 three times, then 200; the list counts the requests."""
    seen: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # http.server's name
            seen.append(1)
            ready = len(seen) > 3
            self.send_response(200 if ready else 503)
            self.end_headers()
            self.wfile.write(b'{"status": "ready"}' if ready else NOT_READY)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/ready", seen
    finally:
        server.shutdown()
        server.server_close()


def test_it_waits_for_200_and_says_each_reason_once(service: tuple[str, list[int]]) -> None:
    url, seen = service
    result = subprocess.run([sys.executable, "-m", "ops.wait_ready", url], cwd=REPO, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0 and len(seen) == 4
    assert result.stderr.count("not ready yet") == 1 and "check REDIS_URL" in result.stderr


def test_a_bad_argument_is_refused() -> None:
    result = subprocess.run([sys.executable, "-m", "ops.wait_ready", "localhost:5055"], cwd=REPO,
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and "wait_ready" in result.stderr
