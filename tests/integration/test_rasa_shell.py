"""``make shell``: Rasa's own shell, run through ops.rasa_tools in a terminal, answers from the
running stack (its action server and brain, its Redis)."""

import os
import pty
import select
import subprocess
import sys
import time
from urllib.parse import urlparse

from ops.processes import REPO, free_port
from tests.stack import Stack

START_SECONDS = 240.0  # Rasa loads the model before its prompt
ANSWER_SECONDS = 60.0


class Terminal:
    """A child process on a pseudo-terminal: Rasa's prompt (prompt_toolkit) wants a real one."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(argv, cwd=REPO, env=env, stdin=slave, stdout=slave, stderr=slave,
                                     close_fds=True)
        os.close(slave)
        self.seen = b""

    def wait_for(self, text: str, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and text.encode() not in self.seen:
            ready, _, _ = select.select([self.master], [], [], 0.5)
            if ready:
                try:
                    self.seen += os.read(self.master, 65536)
                except OSError:  # the child closed its side
                    break
        return text.encode() in self.seen

    def type(self, line: str) -> None:
        os.write(self.master, f"{line}\r".encode())

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        os.close(self.master)


def test_make_shell_answers_from_the_running_stack(stack: Stack) -> None:
    env = {**os.environ, "ACTION_PORT": str(urlparse(stack.action_url).port), "REDIS_URL": stack.redis_url,
           "RASA_SHELL_PORT": str(free_port()), "TERM": "xterm"}
    terminal = Terminal([sys.executable, "-m", "ops.rasa_tools", "shell"], env)
    try:
        assert terminal.wait_for("Your input", START_SECONDS), terminal.seen.decode("utf-8", "replace")[-2000:]
        terminal.type("jak zwrócić produkt?")
        # the FAQ's returns answer, which only the brain behind the stack's action server gives
        assert terminal.wait_for("Zwróć produkt", ANSWER_SECONDS), terminal.seen.decode("utf-8", "replace")[-2000:]
        terminal.type("/stop")
    finally:
        terminal.close()
