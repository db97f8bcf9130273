"""The FAQ as written in ``faq_corpus/faq/*.yml``: one topic a file."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

LANGS = ("pl", "en")
ANSWER_KEYS = ("pl_ty", "pl_pan", "en")
REGISTERS = ("ty", "pan")


class FaqError(ValueError):
    """A FAQ file is missing something or has the wrong shape."""


@dataclass(frozen=True)
class FaqEntry:
    id: str
    title: dict[str, str]
    questions: dict[str, tuple[str, ...]]
    answers: dict[str, str]
    source: str = "faq"

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "questions": {k: list(v) for k, v in self.questions.items()},
                "answers": self.answers, "source": self.source}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FaqEntry:
        questions = {k: tuple(v) for k, v in data["questions"].items()}
        return cls(data["id"], data["title"], questions, data["answers"], data.get("source", "faq"))

    def answer(self, lang: str, register: str = "ty") -> str:
        """The answer in ``lang``; Polish in the brand's register ("ty" or "pan")."""
        key = "en" if lang == "en" else f"pl_{register}"
        return self.answers[key]


def _entry_from_mapping(data: Any, origin: str) -> FaqEntry:
    if not isinstance(data, dict):
        raise FaqError(f"{origin}: expected a mapping at the top level")
    try:
        entry_id = str(data["id"])
        questions = {lang: tuple(str(q) for q in data["questions"][lang]) for lang in LANGS}
        answers = {key: str(data["answer"][key]).strip() for key in ANSWER_KEYS}
        title = {lang: str(data.get("title", {}).get(lang, entry_id)) for lang in LANGS}
    except (KeyError, TypeError) as exc:
        raise FaqError(f"{origin}: missing or malformed field {exc}") from exc
    if not all(questions.values()):
        raise FaqError(f"{origin}: topic {entry_id!r} needs questions in {LANGS}")
    if not all(answers.values()):
        raise FaqError(f"{origin}: topic {entry_id!r} needs answers {ANSWER_KEYS}")
    return FaqEntry(entry_id, title, questions, answers, str(data.get("source", "faq")))


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise FaqError(f"{path}: not valid YAML: {exc}") from exc


def load_faq(directory: Path) -> list[FaqEntry]:
    """Read every ``*.yml`` in ``directory``, sorted by file name."""
    files = sorted(Path(directory).glob("*.yml"))
    if not files:
        raise FaqError(f"{directory}: no FAQ files (*.yml) found")
    entries = [_entry_from_mapping(_read_yaml(f), str(f)) for f in files]
    ids = [e.id for e in entries]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise FaqError(f"{directory}: duplicate topic ids {duplicates}")
    return entries


def corpus_hash(directory: Path) -> str:
    """A digest of the FAQ files' names and contents, stored with each index."""
    digest = hashlib.sha256()
    for path in sorted(Path(directory).glob("*.yml")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
