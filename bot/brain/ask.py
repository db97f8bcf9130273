"""The brain alone, for measurement: ``bin/ask --jsonl`` reads JSON Lines, writes decisions.

Input, one a line:  {"text": "...", "history": [...]}, where ``history`` (optional) is the
conversation before ``text``, oldest first: earlier customer messages as strings, or turns
{"role": "customer"|"bot", "text": "...", "decision"?: "answer"|"clarify"|"handoff", "faq_id"?: "..."}.
Output, one a line: {"decision", "faq_id", "score", "reasons", "lang", "answer"}; a bad line
gets {"error": "..."} naming the field.
The model is loaded once; lines are answered as they arrive.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from typing import Any, TextIO

from bot.brain.brain import Brain, load_brain
from bot.brain.conversation import parse_history
from bot.brain.embeddings import load_embedder
from bot.brain.settings import BrainSettings, SettingsError

OUTPUT_FIELDS = ("decision", "faq_id", "score", "reasons", "lang", "answer")


def answer_line(brain: Brain, line: str) -> dict[str, Any]:
    """One output record; a malformed line gets an error record, never a crash."""
    try:
        request = json.loads(line)
        text = request.get("text") if isinstance(request, dict) else None
        history = request.get("history") or [] if isinstance(request, dict) else []
        if not isinstance(text, str) or not isinstance(history, list):
            raise ValueError('expected {"text": string, "history": [strings or turns]}')
        turns = parse_history(history)
    except ValueError as exc:  # HistoryError too: it names the field
        return {"error": f"bad input line: {exc}"}
    decision = brain.decide(text, turns).as_dict()
    return {key: decision[key] for key in OUTPUT_FIELDS}


def stream(brain: Brain, source: TextIO, sink: TextIO) -> None:
    for line in source:
        if line.strip():
            sink.write(json.dumps(answer_line(brain, line), ensure_ascii=False) + "\n")
            sink.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jsonl", action="store_true", required=True, help="JSON Lines in, JSON Lines out")
    parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    try:
        settings = BrainSettings.from_env(os.environ)
        embedder = load_embedder(settings.embedder, settings.embed_threads)
        brain = load_brain(settings.index_dir, embedder, settings.register, settings.answer_threshold)
    except (SettingsError, FileNotFoundError, ValueError) as exc:
        print(f"ask: {exc}", file=sys.stderr)
        return 2
    stream(brain, sys.stdin, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
