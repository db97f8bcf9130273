"""Import archived chats from another system into the archive (``faq_corpus/archive/FORMAT.md``).

    python -m bot.archive_import CHATS.jsonl --out faq_corpus/archive/imported.jsonl [--start-id N]
    python -m bot.archive_import CHATS.csv --out faq_corpus/archive/imported.jsonl [--start-id N]

JSON Lines input is in the archive format already; CSV input has one turn per row under the
header ``conversation_id,channel,lang,at,role,author,text`` (``author`` only on moderator rows,
``at`` ISO-8601 with a time zone). Rows are grouped by ``conversation_id`` in the order the
conversations first appear and sorted by ``at`` within one.

Every text is redacted (``bot.learning.redact``) before anything is written, and display names are cut
to the first name and the initial of the surname. The whole input is checked first: on any
problem the errors are printed with their line numbers and nothing is written. Otherwise the
new lines are appended in one step – the file is rewritten beside the original and renamed over
it, so a crash leaves either the old archive or the complete new one (one writer at a time).

Conversations get new ids ``conv-NNNNNN`` after the highest id already in the output file, or
from ``--start-id`` when that is higher; lines of the input that repeat an id (an approval
appended later) keep sharing their new id.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.core.archive_format import MAX_ID
from bot.learning.archive_import.output import append_atomically, highest_id
from bot.learning.archive_import.records import Imported, build
from bot.learning.archive_import.sources import read_input
from bot.learning.archive_import.validation import InputError
from bot.learning.redact import KINDS

EXIT_BAD_INPUT = 1


def run(source: Path, out: Path, start_id: int | None = None) -> Imported:
    """Check, redact and append ``source`` to ``out``; InputError (nothing written) on any problem."""
    records = read_input(source)
    first_id = max(highest_id(out) + 1, start_id or 1)
    imported = build(records, source, first_id)
    append_atomically(out, [json.dumps(r, ensure_ascii=False) + "\n" for r in imported.records])
    return imported


def summary(imported: Imported, out: Path) -> str:
    ids = [r["id"] for r in imported.records]
    span = f" as {min(ids)}..{max(ids)}" if ids else ""
    kinds = ", ".join(f"{kind} {imported.counts.get(kind, 0)}" for kind in KINDS)
    conversations = len(set(ids))
    return (f"imported {conversations} conversations ({len(ids)} lines, {imported.turns} turns){span} into {out}\n"
            f"redactions: {kinds}")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot.archive_import", description=__doc__.split("\n\n")[0]
                                     if __doc__ else None)
    parser.add_argument("input", type=Path, help="chats to import: .jsonl (archive format) or .csv (one turn a row)")
    parser.add_argument("--out", type=Path, required=True, help="archive file to append to")
    parser.add_argument("--start-id", type=int, default=None,
                        help="first conv number to use, if higher than the output file's highest id")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.start_id is not None and not 1 <= args.start_id <= MAX_ID:
        parser.error(f"--start-id must be between 1 and {MAX_ID}")
    if not args.input.is_file():
        print(f"error: {args.input}: no such file", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        imported = run(args.input, args.out, args.start_id)
    except InputError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        print(f"nothing written to {args.out}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(summary(imported, args.out))
    return 0
