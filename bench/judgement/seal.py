"""The sealed test stays the test it was: its files' SHA-256 against the table in SEALED.md."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

# | `sealed/messages.jsonl` | `f0eb…` |
_ROW = re.compile(r"^\|\s*`(?P<file>[^`]+)`\s*\|\s*`(?P<sha>[0-9a-f]{64})`\s*\|\s*$", re.M)


class SealBroken(RuntimeError):
    """A sealed file is missing or differs from the hash it was sealed with; the message names it."""


def sealed_hashes(seal: Path) -> dict[str, str]:
    table = {m["file"]: m["sha"] for m in _ROW.finditer(seal.read_text("utf-8"))}
    if not table:
        raise SealBroken(f"{seal}: no table of sealed files and their SHA-256")
    return table


def verify(seal: Path) -> list[Path]:
    """The sealed files, each checked against its hash; raises ``SealBroken`` otherwise."""
    files = []
    for name, expected in sealed_hashes(seal).items():
        path = seal.parent / name
        if not path.is_file():
            raise SealBroken(f"{path}: sealed file is missing")
        actual = hashlib.sha256(path.read_bytes()).hexdigest()
        if actual != expected:
            raise SealBroken(f"{path}: SHA-256 {actual} differs from {expected} in {seal}; "
                             "the sealed test changed since it was sealed")
        files.append(path)
    return files
