"""Build a new index version from the FAQ and publish it.

    python -m bot.build_index [--faq faq_corpus/faq] [--out var/index] [--embedder e5]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path

from bot.embeddings import load_embedder
from bot.faq import LANGS, FaqEntry, FaqError, corpus_hash, load_faq
from bot.index import IndexNotFound, Row, VectorIndex, current_version, embed_rows, new_version

logger = logging.getLogger(__name__)


def rows_for(entries: list[FaqEntry]) -> list[Row]:
    return [Row(e.id, lang, q, e.source) for e in entries for lang in LANGS for q in e.questions[lang]]


def build(faq_dir: Path, out: Path, embedder_name: str, progress: bool = True) -> Path:
    entries = load_faq(faq_dir)
    embedder = load_embedder(embedder_name)
    rows = rows_for(entries)
    started = time.perf_counter()
    vectors = embed_rows(embedder, rows, progress=progress)
    seconds = time.perf_counter() - started
    meta = {
        "embedder": embedder.name,
        "corpus_hash": corpus_hash(faq_dir),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "embed_seconds": round(seconds, 3),
    }
    index = VectorIndex.build(rows, vectors, meta)
    return index.save(out, new_version(), extra={"faq.json": [e.to_json() for e in entries]})


def is_up_to_date(faq_dir: Path, out: Path, embedder_name: str) -> bool:
    """True when the live index was built from these FAQ files with this embedder."""
    try:
        meta = json.loads((out / current_version(out) / "meta.json").read_text("utf-8"))
    except (IndexNotFound, FileNotFoundError):
        return False
    return bool(meta.get("embedder") == embedder_name and meta.get("corpus_hash") == corpus_hash(faq_dir))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--faq", type=Path, default=Path(os.environ.get("FAQ_DIR", "faq_corpus/faq")))
    parser.add_argument("--out", type=Path, default=Path(os.environ.get("INDEX_DIR", "var/index")))
    parser.add_argument("--embedder", default=os.environ.get("EMBEDDER", "e5"))
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--if-changed", action="store_true", help="skip when the live index is current")
    args = parser.parse_args(argv)
    if args.if_changed and is_up_to_date(args.faq, args.out, args.embedder):
        print(f"index in {args.out} is up to date")
        return 0
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        path = build(args.faq, args.out, args.embedder, progress=not args.quiet)
    except (FaqError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"published index {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
