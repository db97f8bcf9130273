from pathlib import Path

import pytest

from bot.core.faq import FaqError, corpus_hash, load_faq

FIXTURES = Path(__file__).parents[2] / "fixtures" / "faq"


def test_load_faq_reads_every_topic_with_both_languages() -> None:
    entries = load_faq(FIXTURES)
    assert [e.id for e in entries] == ["delivery_cost", "password_reset", "return_howto"]
    assert entries[2].questions["pl"][0] == "Jak zwrócić produkt?"
    assert entries[2].answer("pl", "pan").startswith("Zwrot można")
    assert entries[2].answer("en").startswith("Register the return")


def test_entry_round_trips_through_json() -> None:
    entry = load_faq(FIXTURES)[0]
    assert type(entry).from_json(entry.to_json()) == entry


def test_missing_answer_names_file_and_field(tmp_path: Path) -> None:
    (tmp_path / "x.yml").write_text("id: x\nquestions: {pl: [a], en: [b]}\nanswer: {pl_ty: t, en: e}\n")
    with pytest.raises(FaqError, match=r"x\.yml.*pl_pan"):
        load_faq(tmp_path)


def test_empty_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FaqError, match="no FAQ files"):
        load_faq(tmp_path)


def test_corpus_hash_changes_with_content(tmp_path: Path) -> None:
    (tmp_path / "a.yml").write_text("x")
    first = corpus_hash(tmp_path)
    (tmp_path / "a.yml").write_text("y")
    assert corpus_hash(tmp_path) != first


def test_invalid_yaml_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "broken.yml").write_text("questions: [a?, b\n")
    with pytest.raises(FaqError, match=r"broken\.yml: not valid YAML"):
        load_faq(tmp_path)
