from pathlib import Path

import pytest

from bot.core.jsonl import read_jsonl


def test_objects_a_line_blank_lines_skipped(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text('{"a": 1}\n\n{"b": "ż"}\n', encoding="utf-8")
    assert read_jsonl(path) == [{"a": 1}, {"b": "ż"}]


def test_a_missing_file_is_an_error_unless_the_set_is_optional(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_jsonl(tmp_path / "missing.jsonl")
    assert read_jsonl(tmp_path / "missing.jsonl", missing_ok=True) == []
