"""``python -m bench.judgement [--split validation|sealed|sealed2] [--misses]``; reports under bench/results/."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from bench import report_files
from bench.judgement import data, report, run
from bench.judgement.seal import SealBroken, verify
from bench.report_files import RESULTS
from bot.brain.brain import load_brain
from bot.brain.embeddings import load_embedder
from bot.core.settings import embedder_name, index_dir

ABOUT = {
    "validation": "Every threshold, pattern, weight and model choice is made on this split.",
    "sealed": "The first sealed test (faq_corpus/labelled/SEALED.md): written before any tuning; its misses "
              "were looked at on 2026-12-06 after what was then the last change, so later changes are measured "
              "on `sealed2`.",
    "sealed2": "The second sealed test (faq_corpus/labelled/SEALED.md): written before the changes made after "
               "the first one's misses were looked at, never read while working.",
}
SEALED = ("sealed", "sealed2")  # each the name of its folder beside SEALED.md


def cases(split: str) -> tuple[list[data.Case], list[data.Case]]:
    if split in SEALED:
        verify(data.SEAL)
        return data.sealed(data.SEAL.parent / split)
    return data.split(split)


def evaluate(split: str, index: Path, embedder: str, with_misses: bool) -> dict[str, Any]:
    messages, conversations = cases(split)
    brain = load_brain(index, load_embedder(embedder, 1), "ty", None)
    judged_messages, judged_conversations = run.judge(brain, messages), run.judge(brain, conversations)
    result = {"split": split, "index": brain.version, "embedder": embedder, "about": ABOUT[split],
              "command": f"python -m bench.judgement --split {split}",
              "messages": run.message_metrics(judged_messages),
              "conversations": run.conversation_metrics(judged_conversations)}
    if with_misses:
        result["misses"] = run.misses(judged_messages) + run.misses(judged_conversations)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.judgement", description=__doc__)
    parser.add_argument("--split", choices=("validation", *SEALED, "train"), default="validation")
    parser.add_argument("--misses", action="store_true",
                        help="also write the misses (sealed: only after the last change)")
    parser.add_argument("--index", type=Path, default=index_dir(os.environ))
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    try:
        result = evaluate(args.split, args.index, embedder_name(os.environ), args.misses)
    except SealBroken as exc:
        print(f"judgement: {exc}", file=sys.stderr)
        return 2
    report_files.write(args.results / f"judgement_{args.split}", result, report.markdown(result))
    print(report.markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
