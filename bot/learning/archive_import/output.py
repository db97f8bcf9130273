"""The archive file imported chats go into: its highest id, and appending to it in one step."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from bot.core.archive_format import ID_RE
from bot.learning.archive_files import FILE_MODE, make_dir
from bot.learning.archive_import.validation import InputError


def highest_id(out: Path) -> int:
    """The highest conv-NNNNNN number in the output file, 0 when there is none."""
    if not out.exists():
        return 0
    highest, problems = 0, []
    for n, line in enumerate(out.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            cid = json.loads(line).get("id", "")
        except (json.JSONDecodeError, AttributeError):
            problems.append(f"{out}:{n}: the output file has a line that is not a JSON object")
            continue
        match = ID_RE.match(cid) if isinstance(cid, str) else None
        if match:
            highest = max(highest, int(match.group(1)))
    if problems:
        raise InputError(problems)
    return highest


def append_atomically(out: Path, lines: list[str]) -> None:
    """The output with ``lines`` appended, written beside it and renamed over it."""
    existing = out.read_bytes() if out.exists() else b""
    if existing and not existing.endswith(b"\n"):
        raise InputError([f"{out}: the last line has no newline (a broken earlier write?); not appending"])
    make_dir(out.parent)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(existing + "".join(lines).encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, FILE_MODE)  # customers' words: the owner's only, whatever the old file had
        os.replace(tmp, out)
    except BaseException:
        # A crash leaves the old archive untouched; the half-written copy goes.
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
