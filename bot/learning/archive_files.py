"""Writing archive files (JSON Lines): appended whole, rewritten only to erase, private to the owner.

Files are created 0600 and the directories this project makes 0700: they hold customers' words.
Appending and rewriting take an exclusive ``flock`` on the file. A rewrite (erasure) writes a copy
beside the file, fsyncs it and renames it over the original, so a crash leaves the old file or the
new one; an appender that opened the old file before the rename sees that its inode is no longer
the path's and opens the file again, so no appended line is lost to a rewrite.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

FILE_MODE = 0o600
DIR_MODE = 0o700


def make_dir(path: Path) -> None:
    """``path`` and missing parents, 0700 (existing directories keep their mode). Not
    ``mkdir(parents=True)``: it makes the parents with the default mode."""
    missing = []
    while not path.exists():
        missing.append(path)
        path = path.parent
    for directory in reversed(missing):
        directory.mkdir(mode=DIR_MODE, exist_ok=True)


def _open_locked(path: Path) -> int:
    """An appending descriptor of ``path`` holding its lock, on the file the path names now."""
    while True:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            if os.fstat(fd).st_ino == os.stat(path).st_ino:
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)  # renamed over (or removed) while we waited: take the new file


def append_lines(path: Path, lines: list[str]) -> None:
    """Append ``lines`` (each ending in a newline) in one write, fsynced."""
    make_dir(path.parent)
    data = "".join(lines).encode("utf-8")
    fd = _open_locked(path)
    try:
        written = os.write(fd, data)  # one write with O_APPEND: never interleaved with another writer's
        if written != len(data):
            raise OSError(f"short write to {path}: {written} of {len(data)} bytes")
        os.fsync(fd)
    finally:
        os.close(fd)  # closing releases the lock


def append_record(path: Path, record: dict[str, Any]) -> None:
    append_lines(path, [json.dumps(record, ensure_ascii=False) + "\n"])


def rewrite_without(path: Path, drop: Callable[[str], bool]) -> int:
    """Remove the lines ``drop`` selects (it sees each line's text); how many were removed.
    The file is replaced atomically and stays 0600; a missing file removes nothing."""
    if not path.exists():
        return 0
    fd = _open_locked(path)
    try:
        with open(path, encoding="utf-8") as current:
            lines = current.readlines()
        kept = [line for line in lines if not drop(line)]
        removed = len(lines) - len(kept)
        if removed:
            _replace(path, kept)
        return removed
    finally:
        os.close(fd)


def _replace(path: Path, lines: list[str]) -> None:
    tmp_fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # 0600
    try:
        with os.fdopen(tmp_fd, "w", encoding="utf-8") as out:
            out.writelines(lines)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
