"""The systemd units under ``ops/systemd/``: rendered for another install directory, and read the
way systemd reads them (used by the tests, which start each unit's command as systemd would).

The shipped units name ``/opt/careassist`` (the checkout with its venvs) and ``/etc/careassist``
(the environment file); ``render`` puts other directories in their place, and nothing else.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ops.env_file import parse
from ops.processes import REPO

UNIT_DIR = REPO / "ops" / "systemd"
INSTALL_DIR = "/opt/careassist"
CONFIG_DIR = "/etc/careassist"
SERVICES = ("careassist-actions", "careassist-rasa", "careassist-handoff")
TARGET = "careassist.target"
# the environment systemd gives every service before Environment= and EnvironmentFile=
SYSTEMD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def render(text: str, install_dir: Path | str = INSTALL_DIR, config_dir: Path | str = CONFIG_DIR) -> str:
    return text.replace(INSTALL_DIR, str(install_dir)).replace(CONFIG_DIR, str(config_dir))


@dataclass(frozen=True)
class Unit:
    """One unit file's assignments, ``(section, key) -> values`` in the order written."""

    entries: Mapping[tuple[str, str], list[str]]

    @classmethod
    def parse(cls, text: str) -> Unit:
        entries: dict[tuple[str, str], list[str]] = {}
        section = ""
        for raw in text.splitlines():
            line = raw.strip()
            if not line or line[0] in "#;":
                continue
            if line.startswith("[") and line.endswith("]"):
                section = line[1:-1]
                continue
            key, _, value = line.partition("=")
            entries.setdefault((section, key.strip()), []).append(value.strip())
        return cls(entries)

    def get(self, key: str, section: str = "Service") -> list[str]:
        return self.entries.get((section, key), [])

    def one(self, key: str, section: str = "Service") -> str:
        values = self.get(key, section)
        if len(values) != 1:
            raise ValueError(f"[{section}] {key}= is given {len(values)} times, expected once")
        return values[0]

    def environment(self, files: Mapping[str, str] | None = None) -> dict[str, str]:
        """What the service's process gets: systemd's PATH, ``Environment=``, then each
        ``EnvironmentFile=`` (``files``: its text by path; default: read from disk)."""
        env = {"PATH": SYSTEMD_PATH, "LANG": "C.UTF-8"}
        for assignments in self.get("Environment"):
            env.update(item.split("=", 1) for item in shlex.split(assignments))  # type: ignore[misc]
        for path in self.get("EnvironmentFile"):
            text = (files or {}).get(path)
            env.update(parse(Path(path).read_text(encoding="utf-8") if text is None else text, path))
        return env

    def command(self, key: str, env: Mapping[str, str]) -> list[str]:
        """``ExecStart=`` (or another ``Exec*=``) as argv, ``${NAME}`` replaced as systemd does
        (within a word, never split; an unset one becomes empty)."""
        return [VARIABLE.sub(lambda m: env.get(m.group(1), ""), word) for word in shlex.split(self.one(key))]


def unit_text(name: str) -> str:
    return (UNIT_DIR / name).read_text(encoding="utf-8")
