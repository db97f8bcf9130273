"""One group of similar questions as a proposal: new ways of asking a topic the brain confidently
maps it to, else a new entry with the group's most representative answer."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from bot.brain.brain import Brain
from bot.brain.reading import confidence_of
from bot.learning.mining.answers import clean_answer
from bot.learning.mining.pairs import Pair, question_key

TOPIC_RANKING = 2  # confidence_of needs the top two topics
ID_CHARS = 10


@dataclass(frozen=True)
class Proposal:
    id: str
    kind: str  # "paraphrases" | "new_entry"
    faq_id: str | None
    lang: str
    questions: list[str]
    answer: str
    count: int
    conversation_ids: list[str]
    title: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Proposal:
        return cls(data["id"], data["kind"], data.get("faq_id"), data["lang"], list(data["questions"]),
                   data.get("answer", ""), int(data["count"]), list(data["conversation_ids"]), data["title"])


def confident_topic(brain: Brain, text: str, vector: np.ndarray) -> str | None:
    """The FAQ topic the brain would answer ``text`` with: in scope (``thresholds.out_of_scope``)
    and confident (``thresholds.answer``), as in ``bot.brain.decision.decide``; else None."""
    ranked = brain.classifier.ranked(text, vector, k=TOPIC_RANKING)
    entry = brain.entries.get(ranked[0][0])
    hits = brain.index.search(vector, 1)
    in_scope = bool(hits) and hits[0].score >= brain.thresholds.out_of_scope
    if entry is None or entry.source != "faq" or not in_scope or confidence_of(ranked) < brain.thresholds.answer:
        return None
    return entry.id


def fitting_topic(brain: Brain, pair: Pair, text: str, vector: np.ndarray) -> str | None:
    """The brain's confident topic, if the archive agrees that it fits the conversation.

    On the demo archive the brain confidently mapped 16 of 20 mined questions the FAQ does not
    cover to a near topic (gift wrapping to gift cards, student discounts to business offers);
    the archive's ``faq_ids`` lists only topics that really fit, so it vetoes those."""
    topic = confident_topic(brain, text, vector)
    return topic if topic in pair.faq_ids else None


def proposal_id(questions: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(sorted(questions)).encode("utf-8")).hexdigest()[:ID_CHARS]


def _unique(questions: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for question in questions:
        seen.setdefault(question_key(question), question)
    return list(seen.values())


def propose(brain: Brain, pairs: Sequence[Pair], topics: Sequence[str | None], vectors: np.ndarray) -> Proposal:
    """One group's proposal: paraphrases of the topic most of it maps to, else a new entry."""
    questions = _unique(p.question for p in pairs)
    conversation_ids = sorted({p.conversation_id for p in pairs})
    lang = pairs[0].lang
    counted = Counter(t for t in topics if t is not None).most_common(1)
    if counted and 2 * counted[0][1] > len(pairs):
        faq_id = counted[0][0]
        return Proposal(proposal_id(questions), "paraphrases", faq_id, lang, questions, "", len(conversation_ids),
                        conversation_ids, brain.entries[faq_id].title.get(lang, faq_id))
    central = pairs[int(np.argmax(vectors @ vectors.mean(axis=0)))]
    return Proposal(proposal_id(questions), "new_entry", None, lang, questions,
                    clean_answer(central.answer, central.customer_name), len(conversation_ids), conversation_ids,
                    min(questions, key=lambda q: (len(q), q)))


def merge_paraphrases(proposals: Iterable[Proposal]) -> list[Proposal]:
    """One paraphrases proposal per topic and language, however many groups mapped to it."""
    merged: dict[tuple[str, str], Proposal] = {}
    others = []
    for p in proposals:
        if p.kind != "paraphrases" or p.faq_id is None:
            others.append(p)
            continue
        key = (p.faq_id, p.lang)
        old = merged.get(key)
        if old is not None:
            questions = _unique(old.questions + p.questions)
            ids = sorted(set(old.conversation_ids) | set(p.conversation_ids))
            p = Proposal(proposal_id(questions), p.kind, p.faq_id, p.lang, questions, "", len(ids), ids, p.title)
        merged[key] = p
    return others + list(merged.values())
