"""Turn handed-off conversations into FAQ proposals for an admin to review.

A moderator-resolved conversation gives one pair: the question the bot could not
handle and the moderator's answer. Similar questions are grouped; a group that
the brain confidently maps to one topic proposes new ways of asking that topic,
any other group proposes a new entry with the most representative answer.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import faiss
import numpy as np

from bot.brain.brain import MAX_CHARS, Brain, confidence_of
from bot.brain.signals import asks_for_human
from bot.core.text import fold_diacritics, sanitize, words

logger = logging.getLogger(__name__)

EMBED_BATCH = 64
# A moderator turn shorter than this once cleaned ("Już sprawdzam.", "What's the order number?")
# is not the answer while a longer one follows.
MIN_ANSWER_CHARS = 60
# Handoffs after a failed attempt: the question is the one the bot tried, not the customer's retort.
RETRY_REASONS = frozenset({"repeated_question", "low_confidence"})
# An approved question shorter than this must match a whole question to count as already approved.
MIN_QUOTE_CHARS = 12
# Pairs of the FAQ's own questions at least as similar as the derived threshold are of one
# topic this often (see ``derive_similarity``).
PAIR_PRECISION = 0.7
# Directions shared by every question (style, length, language) that all-but-the-top removes.
TOP_COMPONENTS = 3
MIN_ROWS_PER_COMPONENT = 100  # a small index (the test fixture) is only centred
MAX_THRESHOLD_ROWS = 3000  # per language: pairs grow quadratically
TOPIC_RANKING = 2  # confidence_of needs the top two topics
ID_CHARS = 10
GUEST_NAMES = frozenset({"gosc", "guest"})
PERSON_REQUEST_WORDS = 8  # a longer message asking for a person usually says what it is about

_GREETING = re.compile(
    r"^(?:(?:dzie[nń] dobry|cze[sś][cć]|hej|hejka|witaj(?:cie)?|witam|hi|hello|hey|dear"
    r"|good (?:morning|afternoon|evening))"
    r"(?:\s+(?:pani|panie|pan|mr|mrs|ms)\.?)?(?:\s+[^\W\d_]+)?|[^\W\d_]+,\s*(?:cze[sś][cć]|hej|hi|hello))"
    r"\s*[,!.:–—-]*\s*",
    re.IGNORECASE,
)
_INTRO = re.compile(
    r"^(?:(?:tu|pisze|z tej strony|this is|it'?s)\s+[^\W\d_]+(?:\s+(?:z|from)\s+(?:obs[lł]ugi\s+)?volt\w*)?"
    r"|[^\W\d_]+\s+(?:z tej strony|(?:from volta\s+)?here|z volty|z obs[lł]ugi volty))"
    r"(?:\s*[–—-]\s*(?:imienni\w+))?\s*(?:[,.!:–—-]+|\s*\U0001F642)*\s*",
    re.IGNORECASE,
)
_COURTESY = re.compile(
    r"^(?:sorry (?:for the wait|for the delay|za czekanie)|przepraszam(?:,)? (?:za (?:czekanie|d[lł]ugie czekanie)|"
    r"[zż]e (?:tyle )?(?:to trwa[lł]o|musia[lł](?:e[sś]|a[sś])? (?:chwil[eę] )?(?:po)?czeka[cć]"
    r"|czeka[lł](?:e[sś]|a[sś]))))"
    r"\s*[,.!:–—-]*\s*",
    re.IGNORECASE,
)
_ADDRESS = re.compile(r"^([^\W\d_]+)\s*[,!]\s*")
_SIGNATURE = re.compile(
    r"(?:\s*(?:\n|^)\s*|\s+)(?:[–—-]+\s*|(?:pozdrawiam|pozdrowienia|serdecznie pozdrawiam|regards|best regards|"
    r"kind regards|best wishes|cheers|best)[,!.]?\s+)[^\W\d_]+\.?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Pair:
    conversation_id: str
    lang: str
    question: str
    answer: str
    customer_name: str
    # The archive's ``faq_ids``: topics that really fit the conversation ([] when the FAQ has none).
    faq_ids: tuple[str, ...] = ()


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


def first_name(display_name: str) -> str:
    """"Marek K." -> "Marek"; the web widget's "Gość"/"Guest" -> ""."""
    name = display_name.split()[0] if display_name.strip() else ""
    return "" if fold_diacritics(name).lower() in GUEST_NAMES else name


def _strip_address(text: str, customer_first_name: str) -> str:
    """Drop a greeting, or an opening that addresses the customer by name ("Marku, ...")."""
    opened = _GREETING.sub("", text, count=1)
    address = _ADDRESS.match(text)
    if opened == text and customer_first_name and address and _same_name(address.group(1), customer_first_name):
        return text[address.end():]
    return opened


def _strip_opening(text: str, customer_first_name: str) -> str:
    """Drop the greeting and, only after one, the self-introduction and "sorry for the wait"."""
    opened = _strip_address(text, customer_first_name)
    if opened == text:
        return text
    while True:
        before = opened
        for pattern in (_INTRO, _COURTESY):
            opened = pattern.sub("", opened, count=1)
        if opened == before:
            return opened


def _same_name(word: str, name: str) -> bool:
    """"Marku" addresses "Marek": the vocative keeps the first three letters."""
    return fold_diacritics(word).lower()[:3] == fold_diacritics(name).lower()[:3]


def clean_answer(text: str, customer_first_name: str = "") -> str:
    """The moderator's answer without the greeting, the self-introduction and the signature."""
    text = _SIGNATURE.sub("", text.strip())
    text = " ".join(text.split())
    text = _strip_opening(text, customer_first_name)
    return text[:1].upper() + text[1:]


def _handoff_index(turns: Sequence[dict[str, Any]], handoff: dict[str, Any] | None) -> int | None:
    """Index of the bot's handoff notice, else of the first moderator turn."""
    at = (handoff or {}).get("at")
    for n, turn in enumerate(turns):
        if at and turn["role"] == "bot" and turn["at"] == at:
            return n
    return next((n for n, t in enumerate(turns) if t["role"] == "moderator"), None)


def _only_asks_for_a_person(text: str) -> bool:
    return asks_for_human(text) and len(words(text)) <= PERSON_REQUEST_WORDS


def _question_index(turns: Sequence[dict[str, Any]], end: int, reasons: Iterable[str]) -> int | None:
    """The customer turn the handoff was about: the last before ``end``, or after a failed bot
    attempt (``RETRY_REASONS``) the one the bot tried to answer."""
    asked = [n for n in range(end) if turns[n]["role"] == "customer"]
    # "konsultant", "I want a human": the request, not the question; the question came before it
    while len(asked) > 1 and _only_asks_for_a_person(str(turns[asked[-1]]["text"])):
        asked.pop()
    if not asked:
        return None
    last = asked[-1]
    if RETRY_REASONS.intersection(reasons) and last > 0 and turns[last - 1]["role"] == "bot":
        earlier = [n for n in asked if n < last - 1]
        if earlier:
            return earlier[-1]
    return last


def _answer_text(turns: Sequence[dict[str, Any]], start: int, name: str) -> str:
    """The first moderator turn after ``start`` that says something; the longest if none does."""
    replies = [str(t["text"]) for t in turns[start:] if t["role"] == "moderator"]
    substantial = [r for r in replies if len(clean_answer(r, name)) >= MIN_ANSWER_CHARS]
    if substantial:
        return substantial[0]
    return max(replies, key=lambda r: len(clean_answer(r, name)), default="")


def extract_pairs(conversation: dict[str, Any]) -> list[Pair]:
    """The question the bot could not handle and the moderator's answer to it (no pair without one)."""
    turns = conversation.get("turns", [])
    end = _handoff_index(turns, conversation.get("handoff"))
    if end is None:
        return []
    asked = _question_index(turns, end, (conversation.get("handoff") or {}).get("reasons", []))
    name = first_name(conversation.get("customer", {}).get("display_name", ""))
    answer = _answer_text(turns, end, name)
    if asked is None or not answer:
        return []
    return [Pair(conversation["id"], conversation.get("lang", "pl"), turns[asked]["text"].strip(), answer, name,
                 tuple(conversation.get("faq_ids", ())))]


def _key(text: str) -> str:
    return " " + " ".join(words(text)) + " "


def approved_questions(conversations: Iterable[dict[str, Any]]) -> set[str]:
    """Every approved question, folded to its words."""
    return {_key(qa["question"]) for c in conversations for qa in c.get("approved_qa", [])}


def is_approved(question: str, approved: set[str]) -> bool:
    """Approved as asked, or an approved quote of it (admins quote the question part of a turn)."""
    key = _key(question)
    return key in approved or any(len(a) >= MIN_QUOTE_CHARS and a in key for a in approved)


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def question_focus(text: str) -> str:
    """The sentences that ask something ("...?"), without the context around them; else all of it.

    On the demo archive this found the nearest question of the same uncovered topic for 12 of 25
    Polish questions with e5, against 8 of 25 for the whole message."""
    asked = [s for s in _SENTENCE_END.split(text.strip()) if s.rstrip().endswith("?")]
    return " ".join(asked) if asked else text.strip()


def embed(brain: Brain, texts: Sequence[str], progress: bool = True) -> np.ndarray:
    """Query vectors for ``texts`` in batches, as the brain reads a message."""
    starts: Iterable[int] = range(0, len(texts), EMBED_BATCH)
    if progress:
        from tqdm import tqdm

        starts = tqdm(starts, total=-(-len(texts) // EMBED_BATCH), unit="batch", desc="embedding questions")
    prepared = [sanitize(t).strip()[:MAX_CHARS] for t in texts]
    chunks = [np.asarray(brain.embedder.encode_queries(prepared[i : i + EMBED_BATCH])) for i in starts]
    return np.concatenate(chunks).astype(np.float32) if chunks else np.zeros((0, brain.embedder.dim), np.float32)


def index_vectors(brain: Brain) -> np.ndarray:
    """The stored vectors of the brain's index, in row order."""
    faiss_index = brain.index._index
    try:
        return np.asarray(faiss_index.reconstruct_n(0, faiss_index.ntotal), dtype=np.float32)
    except RuntimeError:  # an index kind that cannot give its vectors back: embed the rows again
        return embed(brain, [r.text for r in brain.index.rows], progress=False)


@dataclass(frozen=True)
class Space:
    """All-but-the-top (Mu & Viswanath, 2018) fitted on the FAQ's own questions.

    Sentence embeddings share a few dominant directions: with e5 any two Polish questions had a
    cosine of 0.83 (median, different topics) against 0.86 (same topic). Removing the mean and the
    top principal components spreads them out, so one threshold can tell them apart."""

    mean: np.ndarray
    components: np.ndarray

    @classmethod
    def fit(cls, vectors: np.ndarray) -> Space:
        mean = vectors.mean(axis=0)
        keep = min(TOP_COMPONENTS, len(vectors) // MIN_ROWS_PER_COMPONENT)
        components = np.linalg.svd(vectors - mean, full_matrices=False)[2][:keep]
        return cls(mean, components)

    def project(self, vectors: np.ndarray) -> np.ndarray:
        centred = vectors - self.mean
        centred = centred - centred @ self.components.T @ self.components
        return np.ascontiguousarray(centred / np.maximum(np.linalg.norm(centred, axis=1, keepdims=True), 1e-12),
                                    dtype=np.float32)


def _topic_pairs(vectors: np.ndarray, topics: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(similarity, same topic) for every pair of rows."""
    labels = np.asarray(topics)
    upper = np.triu_indices(len(labels), 1)
    return (vectors @ vectors.T)[upper], (labels[:, None] == labels[None, :])[upper]


def precision_threshold(similarities: np.ndarray, same: np.ndarray, precision: float | None = None) -> float:
    """The lowest similarity above which pairs are of one topic at least ``precision`` of the time."""
    precision = PAIR_PRECISION if precision is None else precision
    order = np.argsort(-similarities, kind="stable")
    running = np.cumsum(same[order]) / np.arange(1, len(order) + 1)
    good = np.nonzero(running >= precision)[0]
    if len(good) == 0:
        return float(similarities.max()) if len(similarities) else 1.0
    return float(similarities[order][good[-1]])


def derive_similarity(brain: Brain, space: Space) -> float:
    """The grouping threshold for this brain's embedder, from the brain's own index.

    The FAQ's questions are paraphrases grouped by topic: among pairs of them in one language,
    the threshold is the lowest similarity (in ``space``) where ``PAIR_PRECISION`` of the pairs at
    or above it share a topic. The same rule gives a number on e5's scale and on the hashing
    embedder's; no model's cosine is hard-coded."""
    vectors = space.project(index_vectors(brain))
    rng = np.random.default_rng(0)
    similarities, same = [], []
    for lang in sorted({r.lang for r in brain.index.rows}):
        rows = [n for n, r in enumerate(brain.index.rows) if r.lang == lang and r.source == "faq"]
        if len(rows) > MAX_THRESHOLD_ROWS:
            rows = sorted(rng.choice(rows, MAX_THRESHOLD_ROWS, replace=False).tolist())
        pair_similarity, pair_same = _topic_pairs(vectors[rows], [brain.index.rows[n].faq_id for n in rows])
        similarities.append(pair_similarity)
        same.append(pair_same)
    return precision_threshold(np.concatenate(similarities), np.concatenate(same))


def group_similar(vectors: np.ndarray, similarity: float) -> list[list[int]]:
    """Greedy grouping: the question with the most neighbours at or above ``similarity`` takes
    all its ungrouped neighbours, then the next; every member is that close to its group's seed."""
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    limits, _, ids = index.range_search(np.ascontiguousarray(vectors, dtype=np.float32), similarity)
    neighbours = [{int(j) for j in ids[limits[n] : limits[n + 1]]} | {n} for n in range(len(vectors))]
    grouped: set[int] = set()
    groups = []
    for seed in sorted(range(len(vectors)), key=lambda n: (-len(neighbours[n]), n)):
        if seed not in grouped:
            members = sorted(neighbours[seed] - grouped)
            grouped.update(members)
            groups.append(members)
    return groups


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
        seen.setdefault(_key(question), question)
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


def mined_pairs(conversations: Sequence[dict[str, Any]]) -> list[Pair]:
    """Pairs from moderator-resolved conversations whose question no admin approved yet."""
    approved = approved_questions(conversations)
    return [p for c in conversations if c.get("outcome") == "moderator_resolved"
            for p in extract_pairs(c) if not is_approved(p.question, approved)]


def mine(conversations: Iterable[dict[str, Any]], brain: Brain, similarity: float | None = None,
         progress: bool = True) -> list[Proposal]:
    """FAQ proposals from archived conversations, the most frequent first.

    ``similarity`` is the grouping threshold, a cosine in the brain's ``Space``; by default
    ``derive_similarity`` takes it from the brain's index."""
    pairs = mined_pairs(list(conversations))
    if not pairs:
        return []
    texts = [question_focus(p.question) for p in pairs]
    vectors = embed(brain, texts, progress)
    space = Space.fit(index_vectors(brain))
    projected = space.project(vectors)
    threshold = derive_similarity(brain, space) if similarity is None else similarity
    logger.info("grouping %d questions at similarity %.3f", len(pairs), threshold)
    topics = [fitting_topic(brain, p, t, v) for p, t, v in zip(pairs, texts, vectors, strict=True)]
    proposals = []
    for lang in sorted({p.lang for p in pairs}):
        rows = [n for n, p in enumerate(pairs) if p.lang == lang]
        for members in group_similar(projected[rows], threshold):
            chosen = [rows[m] for m in members]
            proposals.append(propose(brain, [pairs[n] for n in chosen], [topics[n] for n in chosen],
                                     projected[chosen]))
    return sorted(merge_paraphrases(proposals), key=lambda p: (-p.count, p.id))
