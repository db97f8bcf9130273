"""The environment file of the systemd units (``ops/systemd/``), written from the operator's settings.

    python -m ops.unit_env /etc/careassist/settings.env /etc/careassist/careassist.env

The settings file (start from ``ops/systemd/settings.env.example``) holds what the operator
decides: ``REDIS_URL`` (required: Debian's redis-server, not an embedded one), ports, the
widget's origins, the Messenger secrets. The output adds what ``make run`` computes for its
children (``ops.launch.stack_env``: the ``REDIS_*`` parts endpoints.yml and credentials.yml
read, ``ACTION_SERVER_URL``, the services' URLs) and the two secrets (``RASA_TOKEN``,
``HANDOFF_SERVICE_TOKEN``: from the settings, else kept from the output file, else new), so
every unit gets the whole of its environment from one file. Run it again after changing the
settings, then restart ``careassist.target``. The output is written 0640, whole or not at all;
systemd reads it as root before it starts a service, so the services' user never needs to.
"""

from __future__ import annotations

import os
import re
import secrets
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from bot.core.settings import MIN_SECRET_CHARS
from ops.env_file import parse
from ops.launch import stack_env
from ops.preflight import PreflightError

SECRETS = ("RASA_TOKEN", "HANDOFF_SERVICE_TOKEN")
UNQUOTED = re.compile(r"^[A-Za-z0-9_@%+=:,./-]*$")
# only the embedded Redis of `make run` uses it; under systemd Redis is Debian's own service
LAUNCH_ONLY = ("EMBEDDED_REDIS_PORT",)
HEADER = ("# Written by python -m ops.unit_env from {settings}; edit that file and run it again.\n"
          "# Read by the careassist-*.service units (EnvironmentFile=). Holds secrets: mode 0640.\n")


def read(path: Path) -> dict[str, str]:
    try:
        return parse(path.read_text(encoding="utf-8"), str(path))
    except (OSError, UnicodeDecodeError) as exc:
        raise PreflightError(f"{path} cannot be read: {exc}") from None


def unit_env(settings: Mapping[str, str], previous: Mapping[str, str]) -> dict[str, str]:
    """Every variable the units need: ``settings``, what ``make run`` computes from them, and the
    secrets (``previous``: the output file as it was, so a rerun keeps the tokens)."""
    if not settings.get("REDIS_URL"):
        raise PreflightError("REDIS_URL must be set in the settings (e.g. redis://:password@127.0.0.1:6379/0): "
                             "under systemd Redis is Debian's redis-server, not an embedded one")
    env, _ = stack_env(settings)
    for name in SECRETS:
        env[name] = settings.get(name) or previous.get(name) or secrets.token_urlsafe(24)
        if len(env[name]) < MIN_SECRET_CHARS:
            raise PreflightError(f"{name} must be at least {MIN_SECRET_CHARS} characters")
    return {name: value for name, value in sorted(env.items()) if name not in LAUNCH_ONLY}


def line(name: str, value: str) -> str:
    """``NAME=value`` as both systemd and ``ops.env_file.parse`` read it back."""
    if UNQUOTED.match(value):
        return f"{name}={value}"
    if any(c in value for c in "'\\\n\r"):
        raise PreflightError(f"{name}: a value with a quote, a backslash or a line break cannot go "
                             "into an environment file safely")
    return f"{name}='{value}'"


def write(path: Path, text: str) -> None:
    """``text`` in ``path`` (0640) through a temporary file and a rename: never half written."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.unlink(missing_ok=True)
    with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640), "w") as file:
        file.write(text)
    os.replace(temporary, path)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    settings_path, output = Path(args[0]), Path(args[1])
    try:
        previous = read(output) if output.exists() else {}
        env = unit_env(read(settings_path), previous)
        text = HEADER.format(settings=settings_path) + "".join(f"{line(k, v)}\n" for k, v in env.items())
        write(output, text)
    except PreflightError as exc:
        print(f"unit_env: {exc}", file=sys.stderr)
        return 1
    print(f"{output}: {len(env)} variables", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
