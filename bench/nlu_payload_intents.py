"""Does teaching NLU the payload-only intents change what customers' words get?

    python -m bench.nlu_payload_intents --before models/bot-OLD.tar.gz --after models/current.tar.gz

``attachment``, ``choose_topic``, ``rate_conversation`` and ``skip_comment`` reach Rasa only as
commands the channels send (``/attachment`` …); data/nlu.yml gives each its bare command as an
example so that ``rasa data validate`` knows them. Both models parse customer-like texts (the
written set's ``--split``, validation by default, and the user texts of tests/rasa/stories.yml)
and the channels' payloads; the report counts texts whose intent changed, whose small-talk
decision (``action_answer``: intent in SMALLTALK_INTENTS at SMALLTALK_CONFIDENCE or more) changed,
and texts predicted as a payload intent. Writes bench/results/nlu_payload_intents.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from actions.answer import SMALLTALK_CONFIDENCE, SMALLTALK_INTENTS
from bench import report_files
from bench.mixed_load import machine
from bench.report_files import RESULTS
from ops.processes import RASA_ENV, REPO

WRITTEN = REPO / "faq_corpus" / "labelled" / "written"
STORIES = REPO / "tests" / "rasa" / "stories.yml"
PAYLOAD_INTENTS = frozenset({"attachment", "choose_topic", "rate_conversation", "skip_comment"})
# What the channels send (actions/answer.py topic_button, handoff/ratings.py, actions/survey.py, messenger_protocol.py).
PAYLOADS = ["/attachment", "/skip_comment", '/choose_topic{"faq_id":"delivery_time"}',
            '/rate_conversation{"ticket":"T17","score":4}']


def jsonl(name: str) -> Iterator[dict[str, Any]]:
    with (WRITTEN / name).open(encoding="utf-8") as rows:
        yield from (json.loads(line) for line in rows if line.strip())


def written_texts(split: str) -> list[str]:
    """Every customer text of ``split``: single messages, turns in context, conversations."""
    texts = [row["text"] for row in jsonl("messages.jsonl") if row["split"] == split]
    for row in (r for r in jsonl("turns.jsonl") if r["split"] == split):
        texts += [row["previous"], row["text"]]
    for row in (r for r in jsonl("conversations.jsonl") if r["split"] == split):
        texts += [turn["text"] for turn in row["history"] if turn["role"] == "customer"] + [row["text"]]
    return texts


def story_texts() -> list[str]:
    stories = yaml.safe_load(STORIES.read_text(encoding="utf-8"))["stories"]
    return [step["user"].strip() for story in stories for step in story["steps"] if "user" in step]


def parse(model: Path, texts: list[str]) -> list[tuple[str, float]]:
    """``texts`` through ``model``'s NLU in the Rasa venv (bench/nlu_parse.py)."""
    done = subprocess.run([str(REPO / ".venv-rasa/bin/python"), str(REPO / "bench/nlu_parse.py"), str(model)],
                          input=json.dumps(texts), capture_output=True, text=True, check=True,
                          env={**RASA_ENV, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)}, cwd=REPO)
    return [(name, float(confidence)) for name, confidence in json.loads(done.stdout.splitlines()[-1])]


def smalltalk(parsed: tuple[str, float]) -> bool:
    return parsed[0] in SMALLTALK_INTENTS and parsed[1] >= SMALLTALK_CONFIDENCE


def compare(texts: list[str], before: list[tuple[str, float]], after: list[tuple[str, float]]) -> dict[str, Any]:
    rows = list(zip(texts, before, after, strict=True))
    same = [(b, a) for _, b, a in rows if b[0] == a[0]]
    near = [abs(a[1] - SMALLTALK_CONFIDENCE) for _, _, a in rows if a[0] in SMALLTALK_INTENTS]
    return {
        "texts": len(rows),
        "intent_changed": [[t, b[0], a[0]] for t, b, a in rows if b[0] != a[0]],
        "smalltalk_changed": [[t, list(b), list(a)] for t, b, a in rows if smalltalk(b) != smalltalk(a)],
        "smalltalk_after": sum(smalltalk(a) for _, _, a in rows),
        "payload_before": [[t, b[0]] for t, b, _ in rows if b[0] in PAYLOAD_INTENTS],
        "payload_after": [[t, a[0]] for t, _, a in rows if a[0] in PAYLOAD_INTENTS],
        "max_confidence_change_same_intent": round(max((abs(a[1] - b[1]) for b, a in same), default=0.0), 4),
        "closest_smalltalk_confidence_to_threshold": round(min(near, default=1.0), 4),
    }


def run(before: Path, after: Path, split: str, note: str) -> dict[str, Any]:
    sets = {f"written {split}": list(dict.fromkeys(written_texts(split))),
            "tests/rasa/stories.yml": story_texts(), "channel payloads": PAYLOADS}
    everything = [text for texts in sets.values() for text in texts]
    parsed = {"before": parse(before, everything), "after": parse(after, everything)}
    results, start = {}, 0
    for name, texts in sets.items():
        end = start + len(texts)
        results[name] = compare(texts, parsed["before"][start:end], parsed["after"][start:end])
        results[name]["parsed_after"] = [[t, *p] for t, p in zip(texts, parsed["after"][start:end], strict=True)] \
            if name == "channel payloads" else None
        start = end
    return {"before": str(before), "after": str(after), "split": split, "note": note, "machine": machine(),
            "started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "sets": results}


def markdown(report: dict[str, Any]) -> str:
    lines = ["# NLU and the payload-only intents", "",
             f"{report['machine']}; {report['started']}. Command: `python -m bench.nlu_payload_intents "
             f"--before {report['before']} --after {report['after']} --split {report['split']}`.", "",
             *([report["note"], ""] if report["note"] else []),
             "Small-talk decision: `action_answer` replies to small talk when the intent is one of "
             f"{', '.join(sorted(SMALLTALK_INTENTS))} with confidence ≥ {SMALLTALK_CONFIDENCE}.", "",
             "| texts | n | intent changed | small-talk decision changed | small talk (after) | "
             "payload intent before | payload intent after | max confidence change, same intent | "
             "closest small-talk confidence to the threshold |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, s in report["sets"].items():
        lines.append(f"| {name} | {s['texts']} | {len(s['intent_changed'])} "
                     f"({len(s['intent_changed']) / s['texts']:.1%}) | {len(s['smalltalk_changed'])} | "
                     f"{s['smalltalk_after']} | {len(s['payload_before'])} | {len(s['payload_after'])} | "
                     f"{s['max_confidence_change_same_intent']} | {s['closest_smalltalk_confidence_to_threshold']} |")
    for name, s in report["sets"].items():
        for key in ("intent_changed", "smalltalk_changed"):
            lines += ["", f"{name}, {key.replace('_', ' ')}: {json.dumps(s[key], ensure_ascii=False)}"]
    payloads = report["sets"]["channel payloads"]["parsed_after"]
    lines += ["", "Channel payloads after (text, intent, confidence): " + json.dumps(payloads, ensure_ascii=False)]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="model without the payload examples")
    parser.add_argument("--after", type=Path, required=True, help="model with them")
    parser.add_argument("--split", choices=("validation", "train"), default="validation")
    parser.add_argument("--out", type=Path, default=RESULTS / "nlu_payload_intents")
    parser.add_argument("--note", default="", help="a sentence for the report: how the models were made")
    args = parser.parse_args()
    report = run(args.before, args.after, args.split, args.note)
    report_files.write(args.out, report, markdown(report))
    print(markdown(report))


if __name__ == "__main__":
    main()
