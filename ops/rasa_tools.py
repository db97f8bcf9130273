"""Rasa's own command line against this project's configuration.

    python -m ops.rasa_tools shell          (make shell) talk to the running bot in a terminal
    python -m ops.rasa_tools <rasa args>    any other rasa command, e.g. ``data validate``

``endpoints.yml`` and ``credentials.yml`` take Redis and the action server from variables that
``make run`` computes (``ops.launch.stack_env``); run bare, ``rasa shell`` stops at once on
``${ACTION_SERVER_URL}``. This gives Rasa the same environment as ``make run`` (the shell's
variables and ``.env`` included) and runs it with the product's patches (``python -m
bot.rasa_side``) in the Rasa venv. ``shell`` talks to the running stack's action server, brain
and Redis, on its own port (``RASA_SHELL_PORT``, 5006) so it never meets ``make run``'s Rasa.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence

from ops.env_file import with_env_file
from ops.launch import MODEL, embedded_redis_password, redis_config, stack_env
from ops.preflight import PreflightError, check_redis_reachable
from ops.processes import REPO

SHELL_PORT = "5006"
RASA_PYTHON = REPO / ".venv-rasa" / "bin" / "python"


def rasa_argv(args: Sequence[str], environ: Mapping[str, str]) -> list[str]:
    """The command line for ``args``: ``shell`` gets the model, the endpoints and its own port."""
    argv = [str(RASA_PYTHON), "-m", "bot.rasa_side", *args]
    if args[:1] == ["shell"]:
        if "-m" not in args and "--model" not in args:
            argv += ["-m", str(MODEL)]
        if "--endpoints" not in args:
            argv += ["--endpoints", "endpoints.yml"]
        if "-p" not in args and "--port" not in args:
            argv += ["-p", environ.get("RASA_SHELL_PORT", SHELL_PORT)]
    return argv


def check_stack(env: Mapping[str, str]) -> None:
    """``rasa shell`` needs the running stack's action server and Redis: say so before Rasa loads."""
    url = f"{env['ACTION_URL']}/health"
    try:
        with urllib.request.urlopen(url, timeout=3):
            pass
    except (urllib.error.URLError, OSError):
        raise PreflightError(f"no action server at {url}: start the stack first (make run), "
                             "or set ACTION_PORT to where it runs") from None
    check_redis_reachable(redis_config(env))


def main(args: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if args is None else args)
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        environ, _ = with_env_file(os.environ)
        redis_password = "" if environ.get("REDIS_URL") else embedded_redis_password(environ)
        env, _ = stack_env(environ, redis_password)
        if args[0] == "shell":
            if not MODEL.exists():
                raise PreflightError(f"no model at {MODEL}: run make model first")
            check_stack(env)
    except PreflightError as exc:
        print(f"rasa_tools: {exc}", file=sys.stderr)
        return 1
    argv = rasa_argv(args, env)
    os.chdir(REPO)  # Rasa finds config.yml, domain.yml, data/ and the channels from here
    os.execve(argv[0], argv, env)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
