"""Which archive records came from which conversation, without naming the conversation.

The archive format has no field for the conversation (FORMAT.md: "nothing else is added"), so
the archiver writes, before each record, a line ``<record id>\\t<hash>`` to ``OWNERS_FILE`` in the
archive directory: the hash is a one-way SHA-256 of the conversation id. Erasure hashes the id it
is given and finds the record ids there; approvals copy a record with its id into
``approved.jsonl``, so the same ids find those lines too. The file ends in ``.tsv``, not
``.jsonl``: readers of the archive glob ``*.jsonl`` and never see it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from bot.learning.archive_files import append_lines, rewrite_without

OWNERS_FILE = "conversations.tsv"
HASH_CONTEXT = "conversation:"  # so the hash of an id is not the plain SHA-256 of the id


def conversation_hash(conversation_id: str) -> str:
    return hashlib.sha256((HASH_CONTEXT + conversation_id).encode("utf-8")).hexdigest()


def note_owner(directory: Path, record_id: str, conversation_id: str) -> None:
    append_lines(directory / OWNERS_FILE, [f"{record_id}\t{conversation_hash(conversation_id)}\n"])


def records_of(directory: Path, conversation_id: str) -> set[str]:
    """The record ids noted for the conversation."""
    path, digest = directory / OWNERS_FILE, conversation_hash(conversation_id)
    if not path.exists():
        return set()
    with open(path, encoding="utf-8") as lines:
        return {record for record, _, owner in (line.rstrip("\n").partition("\t") for line in lines)
                if owner == digest}


def forget_owner(directory: Path, conversation_id: str) -> int:
    digest = conversation_hash(conversation_id)
    return rewrite_without(directory / OWNERS_FILE, lambda line: line.rstrip("\n").endswith("\t" + digest))
