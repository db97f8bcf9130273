"""JSON Lines as the labelled sets and the archive write them: one object a line, blank lines skipped."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def read_jsonl(path: Path, missing_ok: bool = False) -> list[dict[str, Any]]:
    """The objects in ``path``; with ``missing_ok``, none when the file does not exist (an optional set)."""
    path = Path(path)
    if missing_ok and not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
