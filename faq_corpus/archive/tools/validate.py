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
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
ARCHIVE = HERE.parent
FAQ_DIR = ARCHIVE.parent / "faq"
WARSAW = ZoneInfo("Europe/Warsaw")

TOP_KEYS = ["id", "channel", "lang", "started_at", "ended_at", "customer", "turns", "outcome", "handoff",
            "faq_ids", "approved_qa"]
CHANNELS = {"messenger", "web"}
LANGS = {"pl", "en"}
ROLES = {"customer", "bot", "moderator"}
OUTCOMES = {"bot_resolved", "moderator_resolved", "abandoned"}
REASONS = ["human_request", "negative_sentiment", "legal_threat", "compensation", "multiple_problems",
           "low_confidence", "repeated_question", "out_of_scope"]
QA_KEYS = {"question", "answer", "faq_id", "approved_by", "approved_at"}
ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
ID_RE = re.compile(r"^conv-\d{6}$")

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


def parse_time(value) -> datetime | None:
    if not isinstance(value, str) or not ISO_RE.match(value):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(timezone.utc)
    except ValueError:
        return None


class Checker:
    def __init__(self, faq_ids: set[str]):
        self.faq_ids = faq_ids
        self.errors: list[str] = []
        self.latest: dict[str, dict] = {}

    def err(self, where: str, msg: str) -> None:
        self.errors.append(f"{where}: {msg}")

    def check(self, where: str, rec) -> None:
        if not isinstance(rec, dict):
            return self.err(where, "not a JSON object")
        if list(rec.keys()) != TOP_KEYS:
            self.err(where, f"keys {list(rec.keys())} != {TOP_KEYS}")
        cid = rec.get("id")
        if not isinstance(cid, str) or not ID_RE.match(cid):
            self.err(where, f"bad id {cid!r}")
        elif cid in self.latest:
            # Append-only: a later line for the same id may only add approved pairs.
            old = self.latest[cid]
            same = {k: v for k, v in old.items() if k != "approved_qa"} == \
                {k: v for k, v in rec.items() if k != "approved_qa"}
            old_qa, new_qa = old.get("approved_qa") or [], rec.get("approved_qa") or []
            if not same or new_qa[:len(old_qa)] != old_qa or len(new_qa) <= len(old_qa):
                self.err(where, f"repeated id {cid} must repeat the record and only append approved pairs")
            self.latest[cid] = rec
        else:
            self.latest[cid] = rec
        where = f"{where} {cid}"
        if rec.get("channel") not in CHANNELS:
            self.err(where, f"bad channel {rec.get('channel')!r}")
        if rec.get("lang") not in LANGS:
            self.err(where, f"bad lang {rec.get('lang')!r}")
        if rec.get("outcome") not in OUTCOMES:
            self.err(where, f"bad outcome {rec.get('outcome')!r}")
        cust = rec.get("customer")
        if not (isinstance(cust, dict) and list(cust.keys()) == ["display_name"]
                and isinstance(cust["display_name"], str) and cust["display_name"].strip()):
            self.err(where, "customer must be {'display_name': non-empty string}")
        started, ended = parse_time(rec.get("started_at")), parse_time(rec.get("ended_at"))
        if not started or not ended:
            self.err(where, "started_at/ended_at not ISO-8601 UTC (…Z)")
        turns = rec.get("turns")
        if not isinstance(turns, list) or not turns:
            return self.err(where, "turns must be a non-empty list")
        times = []
        for i, t in enumerate(turns):
            tw = f"{where} turn {i}"
            if not isinstance(t, dict):
                self.err(tw, "not an object")
                continue
            role = t.get("role")
            want = ["role", "text", "at"] + (["author"] if role == "moderator" else [])
            if list(t.keys()) != want:
                self.err(tw, f"keys {list(t.keys())} != {want}")
            if role not in ROLES:
                self.err(tw, f"bad role {role!r}")
            if role == "moderator" and not (isinstance(t.get("author"), str) and re.fullmatch(r"\w[\w .'-]*", t["author"])):
                self.err(tw, "moderator turn without author")
            text = t.get("text")
            if not isinstance(text, str) or not text.strip():
                self.err(tw, "empty text")
                text = ""
            at = parse_time(t.get("at"))
            if not at:
                self.err(tw, f"bad at {t.get('at')!r}")
            else:
                if times and at <= times[-1]:
                    self.err(tw, "timestamp does not increase")
                times.append(at)
                local = at.astimezone(WARSAW)
                if not (8 <= local.hour < 22):
                    self.err(tw, f"outside 08:00-22:00 Warsaw time ({local:%H:%M})")
            self.check_text(tw, text)
        if started and times and started != times[0]:
            self.err(where, "started_at != first turn's at")
        if ended and times and ended != times[-1]:
            self.err(where, "ended_at != last turn's at")

        roles = [t.get("role") for t in turns if isinstance(t, dict)]
        has_mod = "moderator" in roles
        outcome, handoff = rec.get("outcome"), rec.get("handoff")
        if outcome == "moderator_resolved" and not has_mod:
            self.err(where, "moderator_resolved without a moderator turn")
        if outcome == "bot_resolved" and has_mod:
            self.err(where, "bot_resolved with a moderator turn")
        if handoff is None:
            if has_mod:
                self.err(where, "moderator took part but handoff is null")
        else:
            if not has_mod and outcome != "abandoned":
                self.err(where, "handoff without moderator is only allowed on abandoned conversations")
            if not isinstance(handoff, dict) or list(handoff.keys()) != ["at", "reasons"]:
                self.err(where, "handoff must be {'at', 'reasons'}")
            else:
                h_at = parse_time(handoff["at"])
                reasons = handoff["reasons"]
                if not h_at:
                    self.err(where, "bad handoff.at")
                elif started and ended and not (started <= h_at <= ended):
                    self.err(where, "handoff.at outside the conversation")
                if (not isinstance(reasons, list) or not reasons or len(set(reasons)) != len(reasons)
                        or set(reasons) - set(REASONS)):
                    self.err(where, f"bad handoff.reasons {reasons!r}")
                first_mod = next((parse_time(t["at"]) for t in turns if t.get("role") == "moderator"), None)
                if h_at and first_mod:
                    wait = (first_mod - h_at).total_seconds() / 60
                    if not 2 <= wait <= 55:
                        self.err(where, f"first moderator reply {wait:.1f} min after handoff (want 2-55)")
        faq_ids = rec.get("faq_ids")
        if not isinstance(faq_ids, list) or len(set(faq_ids)) != len(faq_ids):
            self.err(where, "faq_ids must be a list without repeats")
        else:
            for fid in faq_ids:
                if fid not in self.faq_ids:
                    self.err(where, f"faq_id {fid!r} is not a file in faq/")
        qa = rec.get("approved_qa")
        if not isinstance(qa, list):
            return self.err(where, "approved_qa must be a list")
        customer_text = " ".join(t.get("text", "") for t in turns if t.get("role") == "customer")
        for j, pair in enumerate(qa):
            pw = f"{where} approved_qa {j}"
            if not isinstance(pair, dict) or set(pair.keys()) != QA_KEYS:
                self.err(pw, f"keys must be {sorted(QA_KEYS)}")
                continue
            for key in ("question", "answer", "approved_by"):
                if not isinstance(pair[key], str) or not pair[key].strip():
                    self.err(pw, f"empty {key}")
            if pair["faq_id"] is not None and pair["faq_id"] not in self.faq_ids:
                self.err(pw, f"faq_id {pair['faq_id']!r} is not a file in faq/")
            ap = parse_time(pair["approved_at"])
            if not ap:
                self.err(pw, "bad approved_at")
            elif ended and ap < ended:
                self.err(pw, "approved before the conversation ended")
            if not has_mod:
                self.err(pw, "approved pair on a conversation without a moderator answer")
            if isinstance(pair["question"], str) and pair["question"] not in customer_text:
                self.err(pw, "question is not quoted from a customer turn")
            self.check_text(pw, pair.get("answer") or "")

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


def pct(n: int, total: int) -> str:
    return f"{n} ({100 * n / total:.1f}%)"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="*", type=Path, default=[ARCHIVE / "demo.jsonl"])
    ap.add_argument("--no-targets", action="store_true", help="format checks only, no demo targets")
    args = ap.parse_args()
    checker = Checker({p.stem for p in FAQ_DIR.glob("*.yml")})
    lines = []
    for path in args.files:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            where = f"{path.name}:{n}"
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                checker.err(where, f"not JSON: {exc}")
                continue
            checker.check(where, rec)
            lines.append(rec)
    # Counts describe the latest line of each conversation.
    recs = list({r.get("id"): r for r in lines}.values())

    total = len(recs)
    lang = Counter(r.get("lang") for r in recs)
    chan = Counter(r.get("channel") for r in recs)
    out = Counter(r.get("outcome") for r in recs)
    reasons = Counter(x for r in recs if r.get("handoff") for x in r["handoff"]["reasons"])
    with_handoff = sum(1 for r in recs if r.get("handoff"))
    qa_pairs = [p for r in recs for p in r.get("approved_qa", [])]
    qa_convs = sum(1 for r in recs if r.get("approved_qa"))
    turn_counts = [len(r.get("turns", [])) for r in recs]
    print(f"conversations: {total}")
    print("lang:     " + ", ".join(f"{k} {pct(v, total)}" for k, v in sorted(lang.items())))
    print("channel:  " + ", ".join(f"{k} {pct(v, total)}" for k, v in sorted(chan.items())))
    print("outcome:  " + ", ".join(f"{k} {pct(v, total)}" for k, v in sorted(out.items())))
    print(f"handoff:  {with_handoff} conversations; reasons: "
          + ", ".join(f"{k} {reasons[k]}" for k in REASONS))
    print(f"approved_qa: {len(qa_pairs)} pairs on {qa_convs} conversations "
          f"({sum(1 for p in qa_pairs if p['faq_id'] is None)} new topics, "
          f"{sum(1 for p in qa_pairs if p['faq_id'] is not None)} paraphrases of existing topics)")
    if turn_counts:
        print(f"turns per conversation: {min(turn_counts)}-{max(turn_counts)}")
    months = Counter(r["started_at"][:7] for r in recs if isinstance(r.get("started_at"), str))
    print("months:   " + ", ".join(f"{k} {v}" for k, v in sorted(months.items())))
    if recs:
        pl = [r for r in recs if r.get("lang") == "pl"]
        plain = sum(1 for r in pl if not re.search("[ąćęłńóśźżĄĆĘŁŃÓŚŹŻ]", " ".join(
            t["text"] for t in r["turns"] if t["role"] == "customer")))
        print(f"Polish conversations whose customer wrote no diacritics: {pct(plain, len(pl))}")

    tags_file = HERE / "uncovered_questions.json"
    use_tags = not args.no_targets and tags_file.exists()
    if use_tags:
        tags = json.loads(tags_file.read_text(encoding="utf-8"))
        known = {r["id"]: r for r in recs}
        print("uncovered recurring questions (conversations that ask them):")
        for tag, ids in sorted(tags.items()):
            missing = [i for i in ids if i not in known]
            if missing:
                checker.err("uncovered_questions.json", f"{tag}: unknown ids {missing}")
            print(f"  {tag}: {len(ids)}")

    if not args.no_targets:
        def target(cond: bool, msg: str) -> None:
            if not cond:
                checker.err("targets", msg)
        target(total >= 210, "fewer than 210 conversations")
        target(0.70 <= lang["pl"] / total <= 0.80, "Polish share not about 75%")
        target(0.55 <= chan["messenger"] / total <= 0.65, "messenger share not about 60%")
        target(0.40 <= out["bot_resolved"] / total <= 0.50, "bot_resolved not about 45%")
        target(0.40 <= out["moderator_resolved"] / total <= 0.50, "moderator_resolved not about 45%")
        target(0.07 <= out["abandoned"] / total <= 0.13, "abandoned not about 10%")
        target(35 <= qa_convs <= 45, "approved_qa not on about 40 conversations")
        target(all(2 <= n <= 14 for n in turn_counts), "a conversation outside 2-14 turns")
        if use_tags:
            target(len(tags) >= 8, "fewer than 8 uncovered recurring questions")
            target(all(3 <= len(v) <= 6 for v in tags.values()), "an uncovered question not asked 3-6 times")
            target(any(p["faq_id"] is None for p in qa_pairs), "no approved pair for a new topic")

    for e in checker.errors:
        print("ERROR", e, file=sys.stderr)
    print("OK" if not checker.errors else f"{len(checker.errors)} problem(s)")
    return 1 if checker.errors else 0


if __name__ == "__main__":
    sys.exit(main())
