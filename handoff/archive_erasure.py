"""Erasure in the archive files: a conversation's records, its approved pairs and its mentions in proposals.

Its records are found by id: the ids the archiver noted for the conversation in Redis
(``keys.ARCHIVE_IDS``) and in the owners file (``handoff.archive_owners``, a hash of the id).
Every ``*.jsonl`` of the live archive and of the approved directory loses the lines with those
ids (each file rewritten atomically, 0600). The approved files and the proposals are changed
under the lock approvals take, so an approval running meanwhile is not lost. Plain, blocking
file work: the service runs it in a thread.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from bot.learning import review
from bot.learning.archive_files import rewrite_without
from handoff.archive_owners import forget_owner, records_of


def _drop_records(directory: Path, record_ids: set[str], texts: set[str]) -> int:
    """Remove the records' lines from every ``*.jsonl`` in ``directory``, keeping their customer texts."""
    def drop(line: str) -> bool:
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            return False  # not ours to judge: a broken line stays as it is
        if not isinstance(record, dict) or record.get("id") not in record_ids:
            return False
        texts.update(t.get("text", "") for t in record.get("turns", []) if t.get("role") == "customer")
        return True

    if not record_ids or not directory.is_dir():
        return 0
    return sum(rewrite_without(path, drop) for path in sorted(directory.glob("*.jsonl")))


def erase_archived(archive_dir: Path, approved_dir: Path, proposals: Path, conversation_id: str,
                   known_ids: set[str]) -> Counter[str]:
    """Counts: ``archive_lines``, ``approved_lines``, ``proposals``, ``archive_owners``."""
    record_ids = known_ids | records_of(archive_dir, conversation_id)
    counts: Counter[str] = Counter()
    texts: set[str] = set()
    counts["archive_lines"] = _drop_records(archive_dir, record_ids, texts)
    if record_ids:
        with review.locked(proposals):
            counts["approved_lines"] = _drop_records(approved_dir, record_ids, texts)
            counts["proposals"] = review.forget_conversations(proposals, record_ids, texts)
    counts["archive_owners"] = forget_owner(archive_dir, conversation_id)
    return counts
