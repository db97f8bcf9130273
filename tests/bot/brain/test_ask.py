import io
import json
from pathlib import Path

import pytest

from bot.brain.ask import OUTPUT_FIELDS, answer_line, stream
from bot.brain.brain import Brain, load_brain
from bot.brain.build_index import build
from bot.brain.decision import Thresholds
from bot.brain.embeddings import HashingEmbedder

FIXTURES = Path(__file__).parents[2] / "fixtures" / "faq"


@pytest.fixture(scope="module")
def brain(tmp_path_factory: pytest.TempPathFactory) -> Brain:
    root = tmp_path_factory.mktemp("index")
    build(FIXTURES, root, "hashing", progress=False)
    loaded = load_brain(root, HashingEmbedder(), "ty", None)
    loaded.thresholds = Thresholds(answer=0.6, out_of_scope=0.2, negative=0.9)
    return loaded


def test_stream_writes_one_decision_per_line(brain: Brain) -> None:
    source = io.StringIO('{"text": "jak zwrocic produkt"}\n\n{"text": "agent please", "history": ["hi"]}\n')
    sink = io.StringIO()
    stream(brain, source, sink)
    lines = [json.loads(x) for x in sink.getvalue().splitlines()]
    assert [tuple(x) for x in lines] == [OUTPUT_FIELDS, OUTPUT_FIELDS]
    assert (lines[0]["decision"], lines[0]["faq_id"], lines[0]["lang"]) == ("answer", "return_howto", "pl")
    assert lines[1]["decision"] == "handoff" and "human_request" in lines[1]["reasons"]


@pytest.mark.parametrize("line", ["not json", "[1, 2]", '{"text": 5}', '{"text": "x", "history": "y"}'])
def test_bad_lines_get_an_error_record(brain: Brain, line: str) -> None:
    assert "bad input line" in answer_line(brain, line)["error"]


def test_history_of_turns_is_read_and_a_bad_role_is_named(brain: Brain) -> None:
    good = json.dumps({"text": "a ile to kosztuje?", "history": [
        {"role": "customer", "text": "jak zwrócić produkt"},
        {"role": "bot", "text": "Zwrot…", "decision": "answer", "faq_id": "return_howto"}]})
    assert answer_line(brain, good)["decision"] in {"answer", "clarify", "handoff"}
    bad = json.dumps({"text": "x", "history": [{"role": "moderator", "text": "hej"}]})
    assert "history[0].role" in answer_line(brain, bad)["error"]
