"""Build a new index version (FAQ, approved archive pairs, trained layers) and publish it.

    python -m bot.build_index [--faq faq_corpus/faq] [--archive faq_corpus/archive]
                              [--out var/index] [--embedder e5] [--if-changed]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import logging
import os
import re
import sys
import time
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import joblib
import numpy as np

from bot.brain.classifier import TopicClassifier
from bot.brain.embeddings import Embedder, load_embedder
from bot.brain.escalation import train_escalation, training_rows, validation_rows
from bot.brain.faults import train_faults
from bot.brain.index import IndexNotFound, Row, VectorIndex, current_version, embed_rows, new_version
from bot.brain.lexical import Lemmatizer
from bot.brain.off_topic import off_topic_rows, train_off_topic
from bot.brain.reply_kind import train_reply_kind, turn_rows
from bot.brain.training import calibrate, thresholds_dict, topic_examples, train_sentiment, upset_threshold
from bot.core import settings
from bot.core.archive import approved_entries
from bot.core.faq import LANGS, FaqEntry, FaqError, corpus_hash, load_faq

logger = logging.getLogger(__name__)
DEFAULT_LABELLED = Path("faq_corpus/labelled/sentiment.jsonl")
DEFAULT_ESCALATION = Path("faq_corpus/labelled/escalation.jsonl")
DEFAULT_CLAUSES = Path("faq_corpus/labelled/clauses.jsonl")
# Messages and turns written for training and validation (each row says its split); never the sealed test.
DEFAULT_WRITTEN = Path("faq_corpus/labelled/written")


def rows_for(entries: list[FaqEntry]) -> list[Row]:
    return [Row(e.id, lang, q, e.source) for e in entries for lang in LANGS for q in e.questions[lang]]


def sources_hash(faq_dir: Path, archive_dir: Path | None, labelled: Path) -> str:
    digest = hashlib.sha256(corpus_hash(faq_dir).encode())
    for path in sorted(archive_dir.glob("*.jsonl")) if archive_dir and archive_dir.is_dir() else []:
        digest.update(path.read_bytes())
    for path in (labelled, DEFAULT_ESCALATION, DEFAULT_CLAUSES, *sorted(DEFAULT_WRITTEN.glob("*.jsonl"))):
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()


class CachedEncoder:
    """Embeds each distinct text once per build: the FAQ, sentiment and escalation data overlap."""

    def __init__(self, embedder: Embedder, known: dict[str, np.ndarray]) -> None:
        self._embedder = embedder
        self._known = dict(known)

    @property
    def known(self) -> dict[str, np.ndarray]:
        return self._known

    def __call__(self, texts: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self._known))
        for start in range(0, len(missing), 64):
            chunk = missing[start : start + 64]
            self._known.update(zip(chunk, self._embedder.encode_queries(chunk), strict=True))
        return np.stack([self._known[t] for t in texts])


def _cache_path(out: Path, embedder: Embedder) -> Path:
    """Embeddings of earlier builds, per model, beside the versions (not part of any)."""
    return out / ".embeddings" / (re.sub(r"[^A-Za-z0-9_.-]", "_", embedder.name) + ".npz")


def load_cache(path: Path, dim: int) -> dict[str, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as data:
            texts, vectors = list(data["texts"]), data["vectors"]
    except (FileNotFoundError, KeyError, ValueError, OSError):
        return {}
    if vectors.ndim != 2 or vectors.shape[1] != dim or len(texts) != len(vectors):
        return {}
    return {str(t): v for t, v in zip(texts, vectors, strict=True)}


def save_cache(path: Path, known: dict[str, np.ndarray]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.stem + ".tmp.npz")
    np.savez(tmp, texts=np.array(list(known), dtype=str), vectors=np.stack(list(known.values())))
    os.replace(tmp, path)


def build(faq_dir: Path, out: Path, embedder_name: str, progress: bool = True,
          archive_dir: Path | None = None, labelled: Path = DEFAULT_LABELLED, make_live: bool = True) -> Path:
    entries = load_faq(faq_dir)
    if archive_dir and archive_dir.is_dir():
        entries = approved_entries(archive_dir, entries)
    embedder = load_embedder(embedder_name)
    rows = rows_for(entries)
    cache = _cache_path(out, embedder)
    known = load_cache(cache, embedder.dim) if embedder.name != "hashing" else {}
    started = time.perf_counter()
    new_rows = [r for r in rows if r.text not in known]
    if new_rows:  # documents and queries embed alike for every backend here (stored questions take "query: ")
        known.update(zip([r.text for r in new_rows], embed_rows(embedder, new_rows, progress=progress), strict=True))
    texts, labels = [r.text for r in rows], [r.faq_id for r in rows]
    vectors = np.stack([known[t] for t in texts]) if texts else np.zeros((0, embedder.dim), dtype=np.float32)
    embed_seconds = time.perf_counter() - started
    encode = CachedEncoder(embedder, known)
    examples, topics = topic_examples(DEFAULT_WRITTEN, set(labels))
    lemmatizer = Lemmatizer(texts + examples)
    classifier = TopicClassifier(lemmatizer).fit(texts + examples, labels + topics,
                                                 np.concatenate([vectors, encode(examples)]) if examples else vectors)
    sentiment, negative = train_sentiment(labelled, encode)
    escalation, escalate_threshold = train_escalation(
        training_rows(DEFAULT_ESCALATION, labelled, DEFAULT_WRITTEN, texts),
        validation_rows(DEFAULT_ESCALATION, DEFAULT_WRITTEN), encode)
    turns = DEFAULT_WRITTEN / "turns.jsonl"
    reply_kind, reject, follow_up = train_reply_kind(turn_rows(turns, "train"), turn_rows(turns, "validation"),
                                                     encode)
    written = DEFAULT_WRITTEN / "messages.jsonl"
    off_topic, off_topic_threshold = train_off_topic(off_topic_rows(written, "train", texts),
                                                     off_topic_rows(written, "validation"), encode)
    faults = train_faults(DEFAULT_CLAUSES, encode)
    upset = upset_threshold(sentiment, validation_rows(DEFAULT_ESCALATION, DEFAULT_WRITTEN), encode)
    thresholds = replace(calibrate(texts, labels, vectors, lemmatizer, negative), escalate=escalate_threshold,
                         reject=reject, follow_up=follow_up, upset=upset,
                         off_topic=off_topic_threshold)
    meta = {
        "embedder": embedder.name,
        "corpus_hash": sources_hash(faq_dir, archive_dir, labelled),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "embed_seconds": round(embed_seconds, 3),
        "embed_per_second": round(len(new_rows) / max(embed_seconds, 1e-9), 1) if new_rows else None,
        "embedded": len(new_rows),
        "thresholds": thresholds_dict(thresholds),
    }
    if embedder.name != "hashing":
        save_cache(cache, encode.known)
    models = io.BytesIO()
    joblib.dump({"classifier": classifier.state(), "sentiment": sentiment, "escalation": escalation,
                 "faults": faults, "reply_kind": reply_kind,
                 "off_topic": off_topic}, models)
    index = VectorIndex.build(rows, vectors, meta)
    extra = {"faq.json": [e.to_json() for e in entries], "models.joblib": models.getvalue()}
    return index.save(out, new_version(), extra=extra, make_live=make_live)


def is_up_to_date(faq_dir: Path, out: Path, embedder_name: str, archive_dir: Path | None = None,
                  labelled: Path = DEFAULT_LABELLED) -> bool:
    """True when the live index was built from these sources with this embedder."""
    try:
        meta = json.loads((out / current_version(out) / "meta.json").read_text("utf-8"))
    except (IndexNotFound, FileNotFoundError):
        return False
    wanted = sources_hash(faq_dir, archive_dir, labelled)
    return bool(meta.get("embedder") == embedder_name and meta.get("corpus_hash") == wanted)


def _approved_dir(environ: Mapping[str, str]) -> Path:
    """APPROVED_DIR; before it, this command read the same folder from ARCHIVE_DIR, which
    everywhere else names the live archive: that still works, with a deprecation line."""
    if "APPROVED_DIR" not in environ and "ARCHIVE_DIR" in environ:
        logger.warning("ARCHIVE_DIR as the folder of approved pairs is deprecated here: set APPROVED_DIR "
                       "(ARCHIVE_DIR names the live archive of finished conversations)")
        return Path(environ["ARCHIVE_DIR"])
    return settings.approved_dir(environ)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--faq", type=Path, default=settings.faq_dir(os.environ))
    parser.add_argument("--archive", type=Path, default=_approved_dir(os.environ),
                        help="approved question and answer pairs (APPROVED_DIR)")
    parser.add_argument("--out", type=Path, default=settings.index_dir(os.environ))
    parser.add_argument("--embedder", default=settings.embedder_name(os.environ))
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--if-changed", action="store_true", help="skip when the live index is current")
    args = parser.parse_args(argv)
    if args.if_changed and is_up_to_date(args.faq, args.out, args.embedder, args.archive):
        print(f"index in {args.out} is up to date")
        return 0
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        path = build(args.faq, args.out, args.embedder, progress=not args.quiet, archive_dir=args.archive)
    except (FaqError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"published index {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
