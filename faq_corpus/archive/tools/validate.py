"""Check archive JSON Lines files against archive/FORMAT.md and print counts.

    python3 faq_corpus/archive/tools/validate.py                 # demo.jsonl, with the demo's targets
    python3 faq_corpus/archive/tools/validate.py FILE... --no-targets

Exit status 1 when any check fails. Standard library only (faq ids are the file names in faq/).
A conversation id may appear again further down a file only as an append that adds approved pairs;
the counts describe the last line of each id.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
ARCHIVE = HERE.parent
FAQ_DIR = ARCHIVE.parent / "faq"
REPO = ARCHIVE.parent.parent
# Run as a bare script the repository is not on the path; the format's vocabulary lives in
# bot/core/archive_format.py, which imports nothing outside the standard library.
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bot.core.archive_format import (  # noqa: E402
    ABANDONED,
    BOT_RESOLVED,
    CHANNELS,
    CUSTOMER,
    CUSTOMER_KEYS,
    HANDOFF_KEYS,
    ID_RE,
    LANGS,
    MODERATOR,
    MODERATOR_RESOLVED,
    MODERATOR_TURN_KEYS,
    OUTCOMES,
    QA_KEYS,
    REASONS,
    ROLES,
    TOP_KEYS,
    TURN_KEYS,
)

WARSAW = ZoneInfo("Europe/Warsaw")
CHAT_OPENS, CHAT_CLOSES = 8, 22  # hours, Warsaw time
FIRST_REPLY_MINUTES = (2, 55)  # after the handoff
ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
AUTHOR_RE = re.compile(r"\w[\w .'-]*")

# Personal data that must have been replaced by placeholders before writing.
BRAND_PHONE = "+48 22 100 20 30"
PII = {
    "e-mail": re.compile(r"\b[\w.+-]+@(?!volta\.example\b)[\w-]+(\.[\w-]+)+\b"),
    "phone": re.compile(r"(?<![\w-])(\+?48[ -]?)?\d{3}[ -]?\d{3}[ -]?\d{3}(?!\d)"),
    "PESEL": re.compile(r"(?<!\d)\d{11}(?!\d)"),
    "card": re.compile(r"(?<!\d)(\d{4}[ -]?){3}\d{4}(?!\d)"),
    "IBAN": re.compile(r"\bPL ?\d{2}( ?\d{4}){6}\b|(?<!\d)\d{26}(?!\d)"),
    "postal address": re.compile(r"\b(ul\.|ulica)\s+\w+\s+\d+[a-z]?(/\d+)?\b.*\b\d{2}-\d{3}\b", re.I),
}
PLACEHOLDERS = {"[EMAIL]", "[PHONE]", "[PESEL]", "[CARD]", "[IBAN]", "[ADDRESS]", "[NAME]"}
PLACEHOLDER_RE = re.compile(r"\[[A-Z_]+\]")
# Brand addresses quoted from brand.yml are not personal data.
BRAND_ADDRESSES = re.compile(r"ul\. (Kablowa|Prądowa|Przewodowa|Iskrowa|Bateryjna|Obwodowa|Żarowa|Napięciowa|"
                             r"Wolty|Magazynowa) \d+")
# Order, complaint and return numbers are kept; "VL-..." is the placeholder the bot itself uses.
NUMBER_RE = re.compile(r"\b(VL|RK|ZW)-(\.\.\.|\w*)")
NUMBER_DIGITS = {"VL": 7, "RK": 6, "ZW": 6}

Record = dict[str, Any]


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not ISO_RE.match(value):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(timezone.utc)
    except ValueError:
        return None


class Checker:
    """Checks records one at a time, collecting every problem as "where: what" in ``errors``."""

    def __init__(self, faq_ids: set[str]) -> None:
        self.faq_ids = faq_ids
        self.errors: list[str] = []
        self.latest: dict[str, Record] = {}

    def err(self, where: str, msg: str) -> None:
        self.errors.append(f"{where}: {msg}")

    def check(self, where: str, rec: Any) -> None:
        if not isinstance(rec, dict):
            self.err(where, "not a JSON object")
            return
        self.check_keys_and_id(where, rec)
        where = f"{where} {rec.get('id')}"
        self.check_fields(where, rec)
        started, ended = parse_time(rec.get("started_at")), parse_time(rec.get("ended_at"))
        if not started or not ended:
            self.err(where, "started_at/ended_at not ISO-8601 UTC (…Z)")
        turns = rec.get("turns")
        if not isinstance(turns, list) or not turns:
            self.err(where, "turns must be a non-empty list")
            return
        self.check_turns(where, turns, started, ended)
        has_mod = MODERATOR in [t.get("role") for t in turns if isinstance(t, dict)]
        self.check_outcome(where, rec.get("outcome"), has_mod)
        self.check_handoff(where, rec, turns, (started, ended), has_mod)
        self.check_faq_ids(where, rec.get("faq_ids"))
        qa = rec.get("approved_qa")
        if not isinstance(qa, list):
            self.err(where, "approved_qa must be a list")
            return
        customer_text = " ".join(t.get("text", "") for t in turns if t.get("role") == CUSTOMER)
        for j, pair in enumerate(qa):
            self.check_pair(f"{where} approved_qa {j}", pair, customer_text, ended, has_mod)

    # --- top-level fields -----------------------------------------------------------------
    def check_keys_and_id(self, where: str, rec: Record) -> None:
        if list(rec.keys()) != list(TOP_KEYS):
            self.err(where, f"keys {list(rec.keys())} != {list(TOP_KEYS)}")
        cid = rec.get("id")
        if not isinstance(cid, str) or not ID_RE.match(cid):
            self.err(where, f"bad id {cid!r}")
            return
        old = self.latest.get(cid)
        self.latest[cid] = rec
        if old is not None and not only_appends_pairs(old, rec):
            # Append-only: a later line for the same id may only add approved pairs.
            self.err(where, f"repeated id {cid} must repeat the record and only append approved pairs")

    def check_fields(self, where: str, rec: Record) -> None:
        if rec.get("channel") not in CHANNELS:
            self.err(where, f"bad channel {rec.get('channel')!r}")
        if rec.get("lang") not in LANGS:
            self.err(where, f"bad lang {rec.get('lang')!r}")
        if rec.get("outcome") not in OUTCOMES:
            self.err(where, f"bad outcome {rec.get('outcome')!r}")
        cust = rec.get("customer")
        if not (isinstance(cust, dict) and list(cust.keys()) == list(CUSTOMER_KEYS)
                and isinstance(cust["display_name"], str) and cust["display_name"].strip()):
            self.err(where, "customer must be {'display_name': non-empty string}")

    def check_faq_ids(self, where: str, faq_ids: Any) -> None:
        if not isinstance(faq_ids, list) or len(set(faq_ids)) != len(faq_ids):
            self.err(where, "faq_ids must be a list without repeats")
            return
        for fid in faq_ids:
            if fid not in self.faq_ids:
                self.err(where, f"faq_id {fid!r} is not a file in faq/")

    # --- turns ----------------------------------------------------------------------------
    def check_turns(self, where: str, turns: list[Any], started: datetime | None, ended: datetime | None) -> None:
        times: list[datetime] = []
        for i, t in enumerate(turns):
            tw = f"{where} turn {i}"
            if not isinstance(t, dict):
                self.err(tw, "not an object")
                continue
            at = self.check_turn(tw, t, times[-1] if times else None)
            if at:
                times.append(at)
        if started and times and started != times[0]:
            self.err(where, "started_at != first turn's at")
        if ended and times and ended != times[-1]:
            self.err(where, "ended_at != last turn's at")

    def check_turn(self, where: str, t: Record, previous: datetime | None) -> datetime | None:
        """The turn's time, if it has a valid one."""
        role = t.get("role")
        want = list(MODERATOR_TURN_KEYS if role == MODERATOR else TURN_KEYS)
        if list(t.keys()) != want:
            self.err(where, f"keys {list(t.keys())} != {want}")
        if role not in ROLES:
            self.err(where, f"bad role {role!r}")
        if role == MODERATOR and not (isinstance(t.get("author"), str) and AUTHOR_RE.fullmatch(t["author"])):
            self.err(where, "moderator turn without author")
        text = t.get("text")
        if not isinstance(text, str) or not text.strip():
            self.err(where, "empty text")
            text = ""
        at = self.check_turn_time(where, t.get("at"), previous)
        self.check_text(where, text)
        return at

    def check_turn_time(self, where: str, value: Any, previous: datetime | None) -> datetime | None:
        at = parse_time(value)
        if not at:
            self.err(where, f"bad at {value!r}")
            return None
        if previous and at <= previous:
            self.err(where, "timestamp does not increase")
        local = at.astimezone(WARSAW)
        if not (CHAT_OPENS <= local.hour < CHAT_CLOSES):
            self.err(where, f"outside {CHAT_OPENS:02d}:00-{CHAT_CLOSES:02d}:00 Warsaw time ({local:%H:%M})")
        return at

    # --- outcome and handoff --------------------------------------------------------------
    def check_outcome(self, where: str, outcome: Any, has_mod: bool) -> None:
        if outcome == MODERATOR_RESOLVED and not has_mod:
            self.err(where, "moderator_resolved without a moderator turn")
        if outcome == BOT_RESOLVED and has_mod:
            self.err(where, "bot_resolved with a moderator turn")

    def check_handoff(self, where: str, rec: Record, turns: list[Any],
                      span: tuple[datetime | None, datetime | None], has_mod: bool) -> None:
        handoff = rec.get("handoff")
        if handoff is None:
            if has_mod:
                self.err(where, "moderator took part but handoff is null")
            return
        if not has_mod and rec.get("outcome") != ABANDONED:
            self.err(where, "handoff without moderator is only allowed on abandoned conversations")
        if not isinstance(handoff, dict) or list(handoff.keys()) != list(HANDOFF_KEYS):
            self.err(where, "handoff must be {'at', 'reasons'}")
            return
        h_at = parse_time(handoff["at"])
        started, ended = span
        if not h_at:
            self.err(where, "bad handoff.at")
        elif started and ended and not (started <= h_at <= ended):
            self.err(where, "handoff.at outside the conversation")
        reasons = handoff["reasons"]
        if (not isinstance(reasons, list) or not reasons or len(set(reasons)) != len(reasons)
                or set(reasons) - set(REASONS)):
            self.err(where, f"bad handoff.reasons {reasons!r}")
        self.check_first_reply(where, h_at, turns)

    def check_first_reply(self, where: str, h_at: datetime | None, turns: list[Any]) -> None:
        first_mod = next((parse_time(t["at"]) for t in turns if t.get("role") == MODERATOR), None)
        if h_at and first_mod:
            wait = (first_mod - h_at).total_seconds() / 60
            low, high = FIRST_REPLY_MINUTES
            if not low <= wait <= high:
                self.err(where, f"first moderator reply {wait:.1f} min after handoff (want {low}-{high})")

    # --- approved_qa ----------------------------------------------------------------------
    def check_pair(self, where: str, pair: Any, customer_text: str, ended: datetime | None, has_mod: bool) -> None:
        if not isinstance(pair, dict) or set(pair.keys()) != set(QA_KEYS):
            self.err(where, f"keys must be {sorted(QA_KEYS)}")
            return
        for key in ("question", "answer", "approved_by"):
            if not isinstance(pair[key], str) or not pair[key].strip():
                self.err(where, f"empty {key}")
        if pair["faq_id"] is not None and pair["faq_id"] not in self.faq_ids:
            self.err(where, f"faq_id {pair['faq_id']!r} is not a file in faq/")
        ap = parse_time(pair["approved_at"])
        if not ap:
            self.err(where, "bad approved_at")
        elif ended and ap < ended:
            self.err(where, "approved before the conversation ended")
        if not has_mod:
            self.err(where, "approved pair on a conversation without a moderator answer")
        if isinstance(pair["question"], str) and pair["question"] not in customer_text:
            self.err(where, "question is not quoted from a customer turn")
        self.check_text(where, pair.get("answer") or "")

    # --- personal data and case numbers ---------------------------------------------------
    def check_text(self, where: str, text: str) -> None:
        scrubbed = BRAND_ADDRESSES.sub("", text.replace(BRAND_PHONE, ""))
        for kind, rx in PII.items():
            m = rx.search(scrubbed)
            if m:
                self.err(where, f"unredacted {kind}: {m.group(0)!r}")
        for m in PLACEHOLDER_RE.finditer(text):
            if m.group(0) not in PLACEHOLDERS:
                self.err(where, f"unknown placeholder {m.group(0)}")
        for m in NUMBER_RE.finditer(text):
            prefix, body = m.groups()
            if body != "..." and not (body.isdigit() and len(body) == NUMBER_DIGITS[prefix]):
                self.err(where, f"malformed number {m.group(0)!r}")


def only_appends_pairs(old: Record, new: Record) -> bool:
    """Whether ``new`` repeats ``old`` with approved pairs added at the end, and nothing else changed."""
    same = {k: v for k, v in old.items() if k != "approved_qa"} == \
        {k: v for k, v in new.items() if k != "approved_qa"}
    old_qa, new_qa = old.get("approved_qa") or [], new.get("approved_qa") or []
    return same and new_qa[:len(old_qa)] == old_qa and len(new_qa) > len(old_qa)


def pct(n: int, total: int) -> str:
    return f"{n} ({100 * n / total:.1f}%)" if total else f"{n}"


def read_files(checker: Checker, files: list[Path]) -> list[Any]:
    """Every line of ``files`` that parses, checked; in file order, repeated ids included."""
    lines = []
    for path in files:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            where = f"{path.name}:{n}"
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                checker.err(where, f"not JSON: {exc}")
                continue
            checker.check(where, rec)
            lines.append(rec)
    return lines


class Counts(NamedTuple):
    """What the report prints and the demo's targets are checked against.

    A NamedTuple, not a dataclass: the tests load this file without registering it as a module,
    and a dataclass looks its module up."""

    total: int
    lang: Counter[Any]
    channel: Counter[Any]
    outcome: Counter[Any]
    reasons: Counter[Any]
    with_handoff: int
    qa_pairs: list[Any]
    qa_convs: int
    turn_counts: list[int]

    @classmethod
    def of(cls, recs: list[Any]) -> Counts:
        return cls(
            total=len(recs),
            lang=Counter(r.get("lang") for r in recs),
            channel=Counter(r.get("channel") for r in recs),
            outcome=Counter(r.get("outcome") for r in recs),
            reasons=Counter(x for r in recs if r.get("handoff") for x in r["handoff"]["reasons"]),
            with_handoff=sum(1 for r in recs if r.get("handoff")),
            qa_pairs=[p for r in recs for p in r.get("approved_qa", [])],
            qa_convs=sum(1 for r in recs if r.get("approved_qa")),
            turn_counts=[len(r.get("turns", [])) for r in recs],
        )


def print_counts(counts: Counts, recs: list[Any]) -> None:
    total, qa_pairs = counts.total, counts.qa_pairs
    print(f"conversations: {total}")
    print("lang:     " + ", ".join(f"{k} {pct(v, total)}" for k, v in sorted(counts.lang.items())))
    print("channel:  " + ", ".join(f"{k} {pct(v, total)}" for k, v in sorted(counts.channel.items())))
    print("outcome:  " + ", ".join(f"{k} {pct(v, total)}" for k, v in sorted(counts.outcome.items())))
    print(f"handoff:  {counts.with_handoff} conversations; reasons: "
          + ", ".join(f"{k} {counts.reasons[k]}" for k in REASONS))
    print(f"approved_qa: {len(qa_pairs)} pairs on {counts.qa_convs} conversations "
          f"({sum(1 for p in qa_pairs if p['faq_id'] is None)} new topics, "
          f"{sum(1 for p in qa_pairs if p['faq_id'] is not None)} paraphrases of existing topics)")
    if counts.turn_counts:
        print(f"turns per conversation: {min(counts.turn_counts)}-{max(counts.turn_counts)}")
    months = Counter(r["started_at"][:7] for r in recs if isinstance(r.get("started_at"), str))
    print("months:   " + ", ".join(f"{k} {v}" for k, v in sorted(months.items())))
    if recs:
        pl = [r for r in recs if r.get("lang") == "pl"]
        plain = sum(1 for r in pl if not re.search("[ąćęłńóśźżĄĆĘŁŃÓŚŹŻ]", " ".join(
            t["text"] for t in r["turns"] if t["role"] == CUSTOMER)))
        print(f"Polish conversations whose customer wrote no diacritics: {pct(plain, len(pl))}")


def check_tags(checker: Checker, recs: list[Any]) -> dict[str, list[str]] | None:
    """The report of uncovered recurring questions, or None when there is no tags file."""
    tags_file = HERE / "uncovered_questions.json"
    if not tags_file.exists():
        return None
    tags: dict[str, list[str]] = json.loads(tags_file.read_text(encoding="utf-8"))
    known = {r["id"]: r for r in recs}
    print("uncovered recurring questions (conversations that ask them):")
    for tag, ids in sorted(tags.items()):
        missing = [i for i in ids if i not in known]
        if missing:
            checker.err("uncovered_questions.json", f"{tag}: unknown ids {missing}")
        print(f"  {tag}: {len(ids)}")
    return tags


def check_targets(checker: Checker, counts: Counts, tags: dict[str, list[str]] | None) -> None:
    """The demo archive's shape: size, shares of language, channel and outcome, approvals."""
    total, lang, chan, out = counts.total, counts.lang, counts.channel, counts.outcome
    targets = [
        (total >= 210, "fewer than 210 conversations"),
        (0.70 <= lang["pl"] / total <= 0.80, "Polish share not about 75%"),
        (0.55 <= chan["messenger"] / total <= 0.65, "messenger share not about 60%"),
        (0.40 <= out[BOT_RESOLVED] / total <= 0.50, "bot_resolved not about 45%"),
        (0.40 <= out[MODERATOR_RESOLVED] / total <= 0.50, "moderator_resolved not about 45%"),
        (0.07 <= out[ABANDONED] / total <= 0.13, "abandoned not about 10%"),
        (35 <= counts.qa_convs <= 45, "approved_qa not on about 40 conversations"),
        (all(2 <= n <= 14 for n in counts.turn_counts), "a conversation outside 2-14 turns"),
    ]
    if tags is not None:
        targets += [
            (len(tags) >= 8, "fewer than 8 uncovered recurring questions"),
            (all(3 <= len(v) <= 6 for v in tags.values()), "an uncovered question not asked 3-6 times"),
            (any(p["faq_id"] is None for p in counts.qa_pairs), "no approved pair for a new topic"),
        ]
    for met, msg in targets:
        if not met:
            checker.err("targets", msg)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="*", type=Path, default=[ARCHIVE / "demo.jsonl"])
    ap.add_argument("--no-targets", action="store_true", help="format checks only, no demo targets")
    args = ap.parse_args()
    checker = Checker({p.stem for p in FAQ_DIR.glob("*.yml")})
    lines = read_files(checker, args.files)
    # Counts describe the latest line of each conversation.
    recs = list({r.get("id"): r for r in lines}.values())
    counts = Counts.of(recs)
    print_counts(counts, recs)
    if not args.no_targets:
        check_targets(checker, counts, check_tags(checker, recs))
    for e in checker.errors:
        print("ERROR", e, file=sys.stderr)
    print("OK" if not checker.errors else f"{len(checker.errors)} problem(s)")
    return 1 if checker.errors else 0


if __name__ == "__main__":
    sys.exit(main())
