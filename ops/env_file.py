"""The optional ``.env`` file of ``make run`` and ``make run-replicas``: read on purpose, before
the launcher checks the settings, never behind its back.

Each line is ``NAME=value`` (``export NAME=value`` too), blank, or a ``#`` comment; a value may be
wrapped in single or double quotes, which are removed, and is otherwise taken as written (spaces
and ``#`` inside included). A variable already set in the environment wins over the file, so a
one-off ``HANDOFF_PORT=9000 make run`` does what it says. A line that is none of these stops the
start naming the file and line.

Why not honcho's own ``.env`` loading: honcho reads the file after the launcher has checked the
environment, so the file could silently change what was checked, and its parser skips malformed
lines and joins a value's words ("a b" becomes "ab"). The launcher therefore reads the file here
and starts honcho with an empty environment file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from ops.preflight import PreflightError

ENV_FILE = Path(".env")
NO_FILE = "/dev/null"  # what honcho is given instead of .env (``honcho start -e``)
LINE = re.compile(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$")


def parse(text: str, source: str = ".env") -> dict[str, str]:
    """The variables in ``text``; PreflightError naming ``source`` and the line for anything else."""
    values: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = LINE.match(line)
        if not match:
            raise PreflightError(f"{source} line {number} is not NAME=value: {line[:60]!r}")
        name, value = match.group(1), match.group(2).strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[name] = value
    return values


def with_env_file(environ: Mapping[str, str], path: Path = ENV_FILE) -> tuple[dict[str, str], list[str]]:
    """The environment with the file's variables added where unset, and the names taken from it."""
    if not path.exists():
        return dict(environ), []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise PreflightError(f"{path} cannot be read: {e}") from None
    added = {name: value for name, value in parse(text, str(path)).items() if name not in environ}
    return {**environ, **added}, sorted(added)
