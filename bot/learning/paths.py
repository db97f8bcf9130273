"""Where the learning loop's files live, from the environment (read by its CLI and the handoff service).

``ARCHIVE_DIR`` is the live archive of finished conversations (``var/archive``);
``APPROVED_DIR`` holds the question and answer pairs admins approved, which the index is
built from (``faq_corpus/archive``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.core.settings import approved_dir, embedder_name, faq_dir, index_dir

DEFAULT_ARCHIVE_DIR = "var/archive"


@dataclass(frozen=True)
class Paths:
    archive: Path
    approved: Path
    faq: Path
    index: Path
    embedder: str
    proposals: Path
    log: Path

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Paths:
        return cls(Path(env.get("ARCHIVE_DIR", DEFAULT_ARCHIVE_DIR)), approved_dir(env), faq_dir(env),
                   index_dir(env), embedder_name(env), Path(env.get("PROPOSALS_FILE", "var/proposals/proposals.json")),
                   Path(env.get("PUBLISH_LOG", "var/publish.log")))

    def environ(self) -> dict[str, str]:
        """These paths as the variables ``from_env`` reads: a child process (``python -m bot.admin``) gets the
        service's own, whatever its environment says."""
        return {"ARCHIVE_DIR": str(self.archive), "APPROVED_DIR": str(self.approved), "FAQ_DIR": str(self.faq),
                "INDEX_DIR": str(self.index), "EMBEDDER": self.embedder, "PROPOSALS_FILE": str(self.proposals),
                "PUBLISH_LOG": str(self.log)}

    @property
    def archives(self) -> list[Path]:
        return [self.archive, self.approved]

