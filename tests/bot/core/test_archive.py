import json
from pathlib import Path

from bot.core.archive import approved_entries, read_conversations
from bot.core.faq import load_faq

FIXTURES = Path(__file__).parents[2] / "fixtures" / "faq"


def conversation(cid: str, pairs: list[dict], lang: str = "pl") -> str:
    return json.dumps({"id": cid, "lang": lang, "turns": [], "approved_qa": pairs})


def test_the_newest_copy_of_a_conversation_wins(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text(conversation("c1", []) + "\n" + conversation("c1", [{"question": "q"}]) + "\n")
    assert [c["approved_qa"] for c in read_conversations(tmp_path)] == [[{"question": "q"}]]


def test_approved_pairs_extend_topics_or_become_entries(tmp_path: Path) -> None:
    pairs = [
        {"question": "czy mogę oddać w paczkomacie?", "answer": "Tak.", "faq_id": "return_howto"},
        {"question": "czy macie outlet?", "answer": "Tak, w zakładce Outlet.", "faq_id": None},
    ]
    (tmp_path / "demo.jsonl").write_text(conversation("c7", pairs) + "\n")
    entries = {e.id: e for e in approved_entries(tmp_path, load_faq(FIXTURES))}
    assert "czy mogę oddać w paczkomacie?" in entries["return_howto"].questions["pl"]
    new = entries["archive:c7:1"]
    assert (new.source, new.questions["pl"]) == ("archive", ("czy macie outlet?",))
    assert new.answer("pl") == "Tak, w zakładce Outlet."


def test_demo_archive_is_readable_and_has_approved_pairs() -> None:
    conversations = list(read_conversations(Path("faq_corpus/archive")))
    assert len(conversations) >= 200
    assert sum(len(c.get("approved_qa", [])) for c in conversations) >= 20
