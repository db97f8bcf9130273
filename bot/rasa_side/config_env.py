"""The variables ``endpoints.yml`` and ``credentials.yml`` name (``${NAME}``), checked before Rasa
loads anything.

Rasa expands them as it reads each file, seconds into its start, and stops at the first unset
one with "Error when trying to expand the environment variables in '${NAME}'". A service
manager restarting it then shows that one name at a time. Here every unset name of every file
given with ``--endpoints`` or ``--credentials`` is reported at once, before Rasa is imported.
An empty value counts as set (the files use empty for "off" and "the default").
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

FILE_FLAGS = ("--endpoints", "--credentials")
REFERENCE = re.compile(r"\$\{([^}]*)\}")  # as Rasa's loader finds them (rasa.shared.utils.io)


class MissingVariables(SystemExit):
    """A file Rasa is given names variables the environment does not set."""


def config_files(argv: Sequence[str]) -> list[Path]:
    """The files given to ``--endpoints`` and ``--credentials`` in ``argv``."""
    return [Path(argv[i + 1]) for i, arg in enumerate(argv[:-1]) if arg in FILE_FLAGS]


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(key)
            yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)


def referenced(path: Path) -> list[str]:
    """The variable names ``path``'s values refer to, in order, once each (comments do not count)."""
    found = (name for text in _strings(yaml.safe_load(path.read_text(encoding="utf-8"))) for name in
             REFERENCE.findall(text))
    return list(dict.fromkeys(found))


def check(argv: Sequence[str], environ: Mapping[str, str]) -> None:
    """``MissingVariables`` naming each unset variable and its file; a missing file is left to Rasa."""
    problems = []
    for path in config_files(argv):
        if path.is_file():
            unset = [name for name in referenced(path) if name not in environ]
            if unset:
                problems.append(f"{path} needs {', '.join(unset)}")
    if problems:
        raise MissingVariables(f"python -m bot.rasa_side: unset variables: {'; '.join(problems)} "
                               "(make run computes them; under systemd, python -m ops.unit_env writes them)")
