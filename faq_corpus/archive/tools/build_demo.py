"""Assemble archive/demo.jsonl from the hand-written conversation scripts in tools/scripts/.

The scripts hold the words; this program only adds what a real archive would carry on top:
the bot's fixed lines (FAQ answers, greeting, clarification, handoff), timestamps, ids,
handoff records and approval metadata. It is deterministic (fixed seed) and cheap to run:

    python3 faq_corpus/archive/tools/build_demo.py

Script format (one conversation per block):

    ### <channel> <lang> <outcome> | <display name> [| reasons=a,b] [| faq=x,y] [| new=tag]
    c: customer text            c +3m: text   or   c: +3m: text   (explicit gap)
    b: @faq_id                  the topic's answer (pl_ty or en)
    b: @faq_id~                 a short, faithful version of it (SHORT below)
    b: #greet #thanks #goodbye #empty #clarify:a,b,c #handoff #oos   the bot's own lines
    m <Name> +12m: text         moderator turn; on the first one the gap counts from the handoff
    qa: question || answer || faq_id-or-null

`faq=` in the header, when present, is the conversation's faq_ids exactly; otherwise they are
the topics the bot answered with. `new=` only feeds the report of uncovered questions.
"""

from __future__ import annotations

import json
import random
import re
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

HERE = Path(__file__).resolve().parent
ARCHIVE = HERE.parent
CORPUS = ARCHIVE.parent
FAQ_DIR = CORPUS / "faq"
OUT = ARCHIVE / "demo.jsonl"
SCRIPTS = sorted((HERE / "scripts").glob("*.txt"))
# Run as a bare script the repository is not on the path; the format's vocabulary lives in
# bot/core/archive_format.py, which imports nothing outside the standard library.
if str(CORPUS.parent) not in sys.path:
    sys.path.insert(0, str(CORPUS.parent))

from bot.core.archive_format import (  # noqa: E402
    ABANDONED,
    BOT,
    BOT_RESOLVED,
    CUSTOMER,
    ID_PREFIX,
    MODERATOR,
    MODERATOR_RESOLVED,
    OUT_OF_SCOPE,
    REASONS,
    TIME_FORMAT,
)

WARSAW = ZoneInfo("Europe/Warsaw")
SEED = 20260302
ADMINS = ["Karolina Nowicka", "Michał Zieliński"]

# The bot's own lines; greet/thanks/goodbye/clarify/empty are those of bot/brain/replies.py (register "ty").
LINES = {
    "greet": {
        "pl": "Cześć! Tu asystent Volta. Pomogę Ci z zamówieniem, dostawą, zwrotem, reklamacją, "
        "płatnością albo kontem. Napisz, w czym mogę pomóc.",
        "en": "Hi! I'm Volta's assistant. I can help with orders, delivery, returns, complaints, "
        "payments and your account. What can I do for you?",
    },
    "thanks": {"pl": "Nie ma sprawy! Jeśli coś jeszcze, pisz śmiało.",
               "en": "You're welcome! Let me know if there's anything else."},
    "goodbye": {"pl": "Do usłyszenia! Miłego dnia.", "en": "Goodbye, have a nice day!"},
    "empty": {"pl": "Napisz proszę, w czym mogę pomóc.", "en": "Please tell me what I can help you with."},
    "clarify": {"pl": "Nie jestem pewien, o co dokładnie pytasz. Chodzi o któryś z tych tematów?",
                "en": "I'm not sure what exactly you mean. Is it one of these?"},
    "handoff": {
        "pl": "Przekazuję rozmowę konsultantowi – odpisze tutaj najszybciej, jak to możliwe. "
        "W międzyczasie możesz dopisać szczegóły, np. numer zamówienia (VL-...).",
        "en": "I'm passing you to a member of our team – they'll reply here as soon as possible. "
        "Meanwhile, feel free to add details such as your order number (VL-...).",
    },
    "oos": {
        "pl": "Na to pytanie nie mam gotowej odpowiedzi, więc przekazuję rozmowę konsultantowi – "
        "odpisze tutaj najszybciej, jak to możliwe.",
        "en": "I don't have a ready answer to that, so I'm passing you to a member of our team – "
        "they'll reply here as soon as possible.",
    },
}

# Short, faithful versions of some answers (every fact is in the full answer and in brand.yml).
SHORT = {
    "pl": {
        "return_cost": "Zwrot jest bezpłatny, jeśli nadasz go z naszym kodem w Paczkomacie InPost, z naszą "
        "etykietą u kuriera albo oddasz produkt w dowolnym sklepie Volta. Płatny jest tylko odbiór dużego AGD "
        "lub telewizora od 55 cali przez naszego kuriera – 49 zł, potrącane z kwoty zwrotu.",
        "product_installation": "Wniesienie na dowolne piętro, także bez windy, kosztuje 49 zł (przy dostawie "
        "gabarytowej). Podłączenie wolnostojącej pralki, zmywarki lub suszarki to 99 zł, montaż sprzętu do "
        "zabudowy 249 zł, podłączenie płyty lub piekarnika 149 zł, a montaż TV na ścianie 199 zł (bez "
        "uchwytu). Usługi dodasz w koszyku albo najpóźniej dzień roboczy przed dostawą przez czat lub telefon.",
        "extended_warranty": "Tak – Volta Ochrona+ przedłuża gwarancję producenta o 1, 2 lub 3 lata, a smartfony, "
        "laptopy, tablety i telewizory możesz też chronić przed przypadkowym uszkodzeniem. Dokupisz ją "
        "w koszyku albo do 30 dni po zakupie w sklepie Volta lub przez czat; cenę zobaczysz na karcie produktu.",
        "refund_time": "Pieniądze zwracamy zwykle w ciągu 3 dni roboczych od dotarcia zwrotu do magazynu lub "
        "przyjęcia go w sklepie (najpóźniej 14 dni od zgłoszenia), tą samą metodą płatności; bank księguje je "
        "zwykle w 1–3 dni robocze. Oddajemy też koszt dostawy do wysokości najtańszej standardowej opcji.",
        "gift_card": "Karta podarunkowa Volta jest ważna 12 miesięcy od aktywacji. Możesz nią płacić wiele razy, "
        "online (numer i PIN w koszyku) i w sklepach, a brakującą kwotę dopłacić inną metodą; saldo sprawdzisz "
        "na volta.example/karty-podarunkowe.",
        "delivery_cost": "Paczkomat InPost kosztuje 9,99 zł (gratis od 99 zł), kurier 14,99 zł (gratis od 199 zł), "
        "dostawa gabarytowa 49 zł (gratis od 999 zł), a odbiór w sklepie Volta jest zawsze bezpłatny.",
        "store_locations": "Sklepy Volta są otwarte od poniedziałku do soboty 9:00–21:00 i w niedziele handlowe "
        "10:00–20:00. Adresy i mapę znajdziesz na volta.example/sklepy.",
        "return_policy": "Zakup online możesz zwrócić w ciągu 30 dni od dostawy bez podawania przyczyny. Zakup "
        "ze sklepu stacjonarnego oddasz w ciągu 14 dni w dowolnym sklepie Volta, jeśli produkt jest nieużywany, "
        "kompletny, w oryginalnym opakowaniu i masz paragon.",
        "installments": "Przy płatności wybierz „Raty Volta”, wypełnij wniosek w serwisie Fina Bank i podpisz "
        "umowę online – decyzja zapada zwykle w ok. 15 minut. Raty są dostępne dla zamówień od 300 do "
        "30 000 zł, na 3–48 miesięcy; w sklepie wniosek złożysz przy kasie z dowodem osobistym.",
        "complaint_status": "Na reklamację odpowiadamy najpóźniej w 14 dni; status sprawdzisz w Moje konto > "
        "Reklamacje i zwroty lub na volta.example/reklamacje („Sprawdź status”). Po uznaniu reklamacji "
        "naprawa lub wymiana trwa zwykle 7–21 dni.",
        "old_device_pickup": "Tak, bezpłatnie zabierzemy stary sprzęt tego samego rodzaju przy dostawie nowego – "
        "zaznacz „Odbiór zużytego sprzętu” w koszyku albo daj znać na czacie najpóźniej dzień roboczy przed "
        "dostawą. Sprzęt musi być odłączony, kompletny i opróżniony.",
    },
    "en": {
        "delivery_cost": "Delivery to an InPost parcel locker costs 9.99 zł (free from 99 zł), courier delivery "
        "14.99 zł (free from 199 zł), large-item delivery 49 zł (free from 999 zł), and pickup in a Volta store "
        "is always free.",
        "return_cost": "Returns are free if you send them with our InPost parcel locker code or courier label, "
        "or drop the item off at any Volta store. Only our courier pickup of a large appliance or a TV from "
        "55 inches costs 49 zł, deducted from the refund.",
        "old_device_pickup": "Yes, free of charge: when we deliver a new appliance, we take away an old one of "
        "the same type. Tick \"Odbiór zużytego sprzętu\" in the cart or tell us on chat at least one business "
        "day before delivery; it must be disconnected, complete and emptied.",
    },
}

OUTCOMES = {"bot": BOT_RESOLVED, "moderator": MODERATOR_RESOLVED, "abandoned": ABANDONED}

TURN_RE = re.compile(r"^(c|b|m ([^\s:]+))(?:\s+\+(\d+)([smh]))?:\s?(.*)$")
GAP_IN_TEXT_RE = re.compile(r"^\+(\d+)([smh]):\s+(.*)$")
UNIT = {"s": 1, "m": 60, "h": 3600}

# A conversation, a turn and a built record, as the scripts and the builder pass them around.
Conv = dict[str, Any]
Turn = dict[str, Any]
Built = dict[str, Any]


def load_faq() -> dict[str, Any]:
    faq = {}
    for path in sorted(FAQ_DIR.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        faq[path.stem] = data
    return faq


# --- reading the scripts ----------------------------------------------------------------------
def parse_scripts() -> list[Conv]:
    convs: list[Conv] = []
    cur: Conv | None = None
    for path in SCRIPTS:
        for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            line = raw.rstrip()
            where = f"{path.name}:{lineno}"
            if line.startswith("### "):
                cur = parse_header(line, where)
                convs.append(cur)
                continue
            if not line or line.startswith("#"):
                continue
            if cur is None:
                raise SystemExit(f"{where}: text outside a conversation")
            if line.startswith("qa:"):
                cur["qa"].append(parse_qa(line))
                continue
            cur["turns"].append(parse_turn(line, where))
    return convs


def parse_header(line: str, where: str) -> Conv:
    """``### <channel> <lang> <outcome> | <display name> [| key=a,b]...`` as a new conversation."""
    parts = [p.strip() for p in line[4:].split("|")]
    channel, lang, outcome = parts[0].split()
    conv: Conv = {"channel": channel, "lang": lang, "outcome": OUTCOMES[outcome], "name": parts[1],
                  "meta": {}, "turns": [], "qa": [], "where": where}
    for kv in parts[2:]:
        key, _, value = kv.partition("=")
        conv["meta"][key.strip()] = [v for v in value.strip().split(",") if v]
    return conv


def parse_qa(line: str) -> dict[str, Any]:
    q, a, fid = [x.strip() for x in line[3:].split("||")]
    return {"question": q, "answer": a, "faq_id": None if fid == "null" else fid}


def parse_turn(line: str, where: str) -> Turn:
    m = TURN_RE.match(line)
    if not m:
        raise SystemExit(f"{where}: cannot parse {line!r}")
    role = {"c": CUSTOMER, "b": BOT}.get(m.group(1)[0], MODERATOR)
    gap = int(m.group(3)) * UNIT[m.group(4)] if m.group(3) else None
    text = m.group(5)
    g = GAP_IN_TEXT_RE.match(text)
    if g and gap is None:
        gap, text = int(g.group(1)) * UNIT[g.group(2)], g.group(3)
    return {"role": role, "author": m.group(2), "gap": gap, "src": text, "where": where}


# --- the bot's lines --------------------------------------------------------------------------
def bot_text(src: str, lang: str, faq: dict[str, Any]) -> tuple[str, str | None, str | None]:
    """(text, answered faq id, handoff kind) for a bot line."""
    key = "en" if lang == "en" else "pl_ty"
    if src.startswith("@"):
        fid = src[1:]
        short = fid.endswith("~")
        fid = fid.rstrip("~")
        if fid not in faq:
            raise SystemExit(f"unknown faq id {fid}")
        text = SHORT[lang][fid] if short else " ".join(faq[fid]["answer"][key].split())
        return text, fid, None
    if src.startswith("#clarify:"):
        ids = src.split(":", 1)[1].split(",")
        titles = [faq[i]["title"]["en" if lang == "en" else "pl"] for i in ids]
        return LINES["clarify"][lang] + "\n" + "\n".join(f"• {t}" for t in titles), None, None
    if src.startswith("#"):
        name = src[1:]
        return LINES[name][lang], None, (name if name in ("handoff", "oos") else None)
    return src, None, None


def fill_texts(conv: Conv, faq: dict[str, Any]) -> tuple[list[str], str | None]:
    """Every turn's text filled in; (topics the bot answered, the kind of its first handoff line)."""
    answered: list[str] = []
    handoff_kind = None
    for turn in conv["turns"]:
        if turn["role"] == BOT:
            text, fid, kind = bot_text(turn["src"], conv["lang"], faq)
            turn["text"] = text
            if fid and fid not in answered:
                answered.append(fid)
            if kind and handoff_kind is None:
                handoff_kind = kind
                turn["handoff"] = True
        else:
            turn["text"] = turn["src"]
    return answered, handoff_kind


def check_bot_answers(conv: Conv) -> None:
    handed = False
    for i, turn in enumerate(conv["turns"]):
        handed = handed or bool(turn.get("handoff"))
        nxt = conv["turns"][i + 1] if i + 1 < len(conv["turns"]) else None
        if turn["role"] == CUSTOMER and not handed and (nxt is None or nxt["role"] != BOT):
            raise SystemExit(f"{turn['where']}: the bot answers every customer message until the handoff")


# --- times ------------------------------------------------------------------------------------
def reading_typing(rng: random.Random, prev: Turn | None, turn: Turn) -> float:
    role, text = turn["role"], turn["text"]
    if prev is None:
        return 0
    if role == BOT:
        return rng.uniform(1, 4)
    if role == CUSTOMER:
        typing = min(len(text) / rng.uniform(2.5, 4.5), 120)
        if prev["role"] == BOT:
            reading = min(len(prev["text"]) / rng.uniform(18, 30), 45)
            return reading + typing + rng.uniform(3, 25)
        if prev["role"] == CUSTOMER:
            return typing + rng.uniform(3, 20)
        return typing + rng.uniform(15, 110)
    # moderator, not the first one
    typing = min(len(text) / rng.uniform(5, 9), 90)
    if prev["role"] == MODERATOR:
        return typing + rng.uniform(10, 60)
    return typing + rng.uniform(25, 140)


def first_moderator_delay(rng: random.Random) -> float:
    r = rng.random()
    if r < 0.55:
        return rng.uniform(2, 15) * 60
    if r < 0.88:
        return rng.uniform(15, 35) * 60
    return rng.uniform(35, 54) * 60


def timeline(conv: Conv, rng: random.Random) -> None:
    """Offsets in seconds from the first turn; the first moderator turn counts from the handoff."""
    t = 0.0
    prev: Turn | None = None
    handoff_t = None
    seen_moderator = False
    for turn in conv["turns"]:
        if turn["role"] == MODERATOR and not seen_moderator:
            seen_moderator = True
            # A handoff comes from an earlier turn, so without one there may be no turn before either.
            if handoff_t is None or prev is None:
                raise SystemExit(f"{turn['where']}: moderator before any handoff")
            delay = turn["gap"] + rng.uniform(0, 50) if turn["gap"] is not None else first_moderator_delay(rng)
            t = handoff_t + delay
            if t <= prev["t"]:
                raise SystemExit(f"{turn['where']}: first moderator turn not after the previous turn")
        elif turn["gap"] is not None:
            t += turn["gap"] + rng.uniform(0, min(20, turn["gap"] / 10))
        else:
            t += reading_typing(rng, prev, turn)
        turn["t"] = round(t)
        if prev is not None and turn["t"] <= prev["t"]:
            turn["t"] = prev["t"] + 1
            t = turn["t"]
        if turn.get("handoff") and handoff_t is None:
            handoff_t = turn["t"]
        prev = turn


def pick_start(rng: random.Random, duration_s: int, used: set[datetime]) -> datetime:
    first = datetime(2026, 1, 2, tzinfo=WARSAW)
    days = (datetime(2026, 10, 31, tzinfo=WARSAW) - first).days
    while True:
        day = first + timedelta(days=rng.randint(0, days))
        latest = 22 * 3600 - 60 - duration_s
        earliest = 8 * 3600 + 60
        # busier in the afternoon and evening, like real chat traffic
        sec = int(earliest + (latest - earliest) * (rng.random() ** 0.8))
        local = datetime(day.year, day.month, day.day, tzinfo=WARSAW) + timedelta(seconds=sec)
        local = local.replace(microsecond=0)
        if local not in used:
            used.add(local)
            return local


def iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime(TIME_FORMAT)


def approved_time(rng: random.Random, ended: datetime) -> datetime:
    day = ended.astimezone(WARSAW) + timedelta(days=rng.randint(1, 12))
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, rng.randint(9, 16), rng.randint(0, 59), rng.randint(0, 59),
                    tzinfo=WARSAW)


# --- records ----------------------------------------------------------------------------------
def handoff_record(conv: Conv, handoff_kind: str | None, start: datetime) -> dict[str, Any] | None:
    reasons = conv["meta"].get("reasons")
    if not handoff_kind:
        if reasons:
            raise SystemExit(f"{conv['where']}: reasons given but no handoff line")
        return None
    if not reasons:
        if handoff_kind != "oos":
            raise SystemExit(f"{conv['where']}: handoff without reasons")
        reasons = [OUT_OF_SCOPE]
    bad = set(reasons) - set(REASONS)
    if bad:
        raise SystemExit(f"{conv['where']}: unknown reasons {bad}")
    h_turn = next(t for t in conv["turns"] if t.get("handoff"))
    return {"at": iso(start + timedelta(seconds=h_turn["t"])), "reasons": reasons}


def output_turns(conv: Conv, start: datetime) -> list[dict[str, Any]]:
    turns_out = []
    for turn in conv["turns"]:
        item = {"role": turn["role"], "text": turn["text"], "at": iso(start + timedelta(seconds=turn["t"]))}
        if turn["role"] == MODERATOR:
            item["author"] = turn["author"]
        turns_out.append(item)
    return turns_out


def build_one(conv: Conv, faq: dict[str, Any], rng: random.Random, used: set[datetime]) -> Built:
    """The record of one scripted conversation (its id comes later), with when it started and its tags."""
    answered, handoff_kind = fill_texts(conv, faq)
    check_bot_answers(conv)
    timeline(conv, rng)
    duration = conv["turns"][-1]["t"]
    start = pick_start(rng, duration, used)
    handoff = handoff_record(conv, handoff_kind, start)
    ended = start + timedelta(seconds=duration)
    approved = [{**qa, "approved_by": ADMINS[rng.randrange(len(ADMINS))],
                 "approved_at": iso(approved_time(rng, ended))} for qa in conv["qa"]]
    return {
        "started": start,
        "new": conv["meta"].get("new", []),
        "rec": {
            "id": None,
            "channel": conv["channel"],
            "lang": conv["lang"],
            "started_at": iso(start),
            "ended_at": iso(ended),
            "customer": {"display_name": conv["name"]},
            "turns": output_turns(conv, start),
            "outcome": conv["outcome"],
            "handoff": handoff,
            "faq_ids": conv["meta"].get("faq", answered),
            "approved_qa": approved,
        },
    }


def build() -> list[Built]:
    faq = load_faq()
    rng = random.Random(SEED)
    convs = parse_scripts()
    used: set[datetime] = set()
    records = [build_one(conv, faq, rng, used) for conv in convs]
    records.sort(key=lambda r: r["started"])
    for n, r in enumerate(records, 1):
        r["rec"]["id"] = f"{ID_PREFIX}{n:06d}"
    return records


def main() -> None:
    records = build()
    with OUT.open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r["rec"], ensure_ascii=False) + "\n")
    tags = HERE / "uncovered_questions.json"
    tagged: dict[str, list[str]] = {}
    for r in records:
        for tag in r["new"]:
            tagged.setdefault(tag, []).append(r["rec"]["id"])
    tags.write_text(json.dumps(tagged, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {len(records)} conversations to {OUT.relative_to(CORPUS.parent)}", file=sys.stderr)


if __name__ == "__main__":
    main()
