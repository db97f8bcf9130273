"""``bench.report_files``: one benchmark's figures as JSON beside their Markdown table."""

from __future__ import annotations

import json
from pathlib import Path

from bench import report_files


def test_both_files_are_written_beside_each_other_in_a_new_folder(tmp_path: Path) -> None:
    report = {"kto": "Żaneta", "median_ms": 14.5, "rows": [1, 2]}
    report_files.write(tmp_path / "new" / "judgement_sealed2", report, "# Wyniki\n", indent=2)
    written = tmp_path / "new" / "judgement_sealed2.json"
    assert json.loads(written.read_text()) == report
    assert "Żaneta" in written.read_text() and written.read_text().endswith("}\n")  # readable, one final newline
    assert (tmp_path / "new" / "judgement_sealed2.md").read_text() == "# Wyniki\n"
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == ["judgement_sealed2.json", "judgement_sealed2.md"]
