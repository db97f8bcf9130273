"""Proposals an admin reviews, and what approving one writes into ``faq_corpus/``.

Proposals (from ``bot.learning.mining``) live in one JSON file (``var/proposals/proposals.json``),
rewritten atomically under a file lock, so the console and the command line can both
decide. Approving a proposal appends, for each of its questions, the conversation it came
from with the approved pair added to ``approved_qa`` — to ``faq_corpus/archive/approved.jsonl``,
the archive format's way of recording approvals (FORMAT.md, "Append-only files"). The next
index build makes the pairs retrievable: a question for an existing topic becomes one more
way of asking it, a new answer becomes a new entry tagged with its source.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bot.core.archive import read_conversations
from bot.core.text import fold_diacritics
from bot.learning.archive_files import append_lines, make_dir

PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
MAX_ANSWER_CHARS = 4000


class ReviewError(ValueError):
    pass


class UnknownProposal(ReviewError):
    pass


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    make_dir(path.parent)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


locked = _locked  # erasure rewrites approved.jsonl under the lock approvals append under


def load(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    data = json.loads(path.read_text("utf-8"))
    return list(data.get("proposals", []))


def _save(path: Path, proposals: list[dict[str, Any]]) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".proposals-", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump({"updated_at": _now(), "proposals": proposals}, out, ensure_ascii=False, indent=1)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


def merge(path: Path, mined: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Store newly mined proposals; decisions already taken on the same ids are kept."""
    with _locked(path):
        decided = {p["id"]: p for p in load(path) if p.get("status", PENDING) != PENDING}
        merged = [decided.get(p["id"], {**p, "status": PENDING}) for p in mined]
        merged += [p for i, p in decided.items() if i not in {m["id"] for m in mined}]
        _save(path, merged)
        return merged


def _find(proposals: list[dict[str, Any]], proposal_id: str) -> dict[str, Any]:
    for proposal in proposals:
        if proposal["id"] == proposal_id:
            return proposal
    raise UnknownProposal(f"no proposal {proposal_id}")


def reject(path: Path, proposal_id: str, by: str) -> dict[str, Any]:
    with _locked(path):
        proposals = load(path)
        proposal = _find(proposals, proposal_id)
        if proposal.get("status", PENDING) != PENDING:
            raise ReviewError(f"proposal {proposal_id} is already {proposal['status']}")
        proposal.update(status=REJECTED, decided_by=by, decided_at=_now())
        _save(path, proposals)
        return proposal


def approve(path: Path, proposal_id: str, by: str, archive_dirs: list[Path], approved_file: Path,
            answer: str | None = None, faq_id: str | None = None,
            known_topics: set[str] | None = None) -> dict[str, Any]:
    """Approve (optionally with an edited answer or another topic) and write the pairs."""
    with _locked(path):
        proposals = load(path)
        proposal = _find(proposals, proposal_id)
        if proposal.get("status", PENDING) != PENDING:
            raise ReviewError(f"proposal {proposal_id} is already {proposal['status']}")
        final_answer = (answer if answer is not None else proposal.get("answer", "")).strip()
        topic = faq_id if faq_id is not None else proposal.get("faq_id")
        if topic is not None and known_topics is not None and topic not in known_topics:
            raise ReviewError(f"unknown FAQ topic {topic!r}")
        if topic is None and not final_answer:
            raise ReviewError("a new entry needs an answer")
        if len(final_answer) > MAX_ANSWER_CHARS:
            raise ReviewError(f"the answer is longer than {MAX_ANSWER_CHARS} characters")
        records = _approved_records(proposal, archive_dirs, final_answer, topic, by)
        if not records:
            raise ReviewError(f"none of proposal {proposal_id}'s conversations is in the archive")
        append_lines(approved_file, [json.dumps(record, ensure_ascii=False) + "\n" for record in records])
        proposal.update(status=APPROVED, decided_by=by, decided_at=_now(), answer=final_answer, faq_id=topic)
        _save(path, proposals)
        return proposal


def _approved_records(proposal: dict[str, Any], archive_dirs: list[Path], answer: str, topic: str | None,
                      by: str) -> list[dict[str, Any]]:
    """One appended copy per conversation, with its question(s) added to ``approved_qa``."""
    wanted = set(proposal["conversation_ids"])
    questions = {fold_diacritics(q).lower().strip(): q for q in proposal["questions"]}
    conversations = {c["id"]: c for d in archive_dirs if d.is_dir() for c in read_conversations(d)
                     if c["id"] in wanted}
    records = []
    for conversation in conversations.values():
        asked = [t["text"] for t in conversation["turns"] if t["role"] == "customer"
                 and fold_diacritics(t["text"]).lower().strip() in questions]
        if not asked:
            continue
        pairs = [{"question": q, "answer": answer, "faq_id": topic, "approved_by": by, "approved_at": _now()}
                 for q in dict.fromkeys(asked)]
        records.append({**conversation, "approved_qa": list(conversation.get("approved_qa", [])) + pairs})
    return records


def forget_conversations(path: Path, record_ids: set[str], texts: set[str]) -> int:
    """Erasure: in the proposals that cite the records, their ids and the questions quoted from
    ``texts`` go, and a proposal left without either goes; how many changed. Call it holding ``locked``."""
    folded = {fold_diacritics(t).lower().strip() for t in texts}
    changed, kept = 0, []
    for proposal in load(path):
        cited = proposal.get("conversation_ids", [])
        if not set(cited) & record_ids:
            kept.append(proposal)
            continue
        changed += 1
        ids = [i for i in cited if i not in record_ids]
        questions = [q for q in proposal.get("questions", []) if fold_diacritics(q).lower().strip() not in folded]
        if ids and questions:
            kept.append({**proposal, "conversation_ids": ids, "questions": questions, "count": len(ids)})
    if changed:
        _save(path, kept)
    return changed
