"""Where a benchmark's figures go: ``<stem>.json`` (for tools and later runs) beside ``<stem>.md``
(the table a person reads), by default under ``bench/results/``, the folder the README points at."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ops.processes import REPO

RESULTS = REPO / "bench" / "results"


def write(stem: Path, report: Any, markdown: str, indent: int = 1) -> None:
    """Write ``stem.json`` and ``stem.md`` (making the folder); Polish text stays readable in both."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    stem.with_name(stem.name + ".json").write_text(json.dumps(report, indent=indent, ensure_ascii=False) + "\n")
    stem.with_name(stem.name + ".md").write_text(markdown)
