"""What the handoff service itself says to customers, per language and the brand's register."""

from __future__ import annotations

import math
from typing import Any

LINES: dict[str, dict[str, str]] = {
    "joined": {
        "pl_ty": "{name} z zespołu obsługi klienta dołącza do rozmowy.",
        "pl_pan": "{name} z zespołu obsługi klienta dołącza do rozmowy.",
        "en": "{name} from our customer care team has joined the conversation.",
    },
    "handed_back": {
        "pl_ty": "Wracasz do rozmowy z asystentem. Gdyby coś jeszcze było potrzebne, napisz.",
        "pl_pan": "Wraca Pan/Pani do rozmowy z asystentem. W razie pytań prosimy pisać.",
        "en": "You're back with the assistant. If you need anything else, just write.",
    },
    "signature": {"pl_ty": "— {name}", "pl_pan": "— {name}", "en": "— {name}"},
    # under a crisis statement sent to many conversations at once (handoff.crisis_store)
    "team_signature": {"pl_ty": "— Zespół obsługi klienta", "pl_pan": "— Zespół obsługi klienta",
                       "en": "— Customer care team"},
    # the satisfaction survey after a resolution (handoff.ratings); the answers are the quick replies 1-5
    "survey": {
        "pl_ty": "Jak oceniasz rozmowę z nami? 1 – źle, 5 – świetnie",
        "pl_pan": "Jak ocenia Pan/Pani rozmowę z nami? 1 – źle, 5 – świetnie",
        "en": "How would you rate your conversation with us? 1 – poor, 5 – great",
    },
    # the owner marked the ticket pending (handoff.pending); {time} is handoff.pending.promised_time
    "pending": {
        "pl_ty": "Sprawdzę to u osoby odpowiedzialnej i wrócę do Ciebie do {time}.",
        "pl_pan": "Sprawdzę to u osoby odpowiedzialnej i wrócę do Pana/Pani do {time}.",
        "en": "I'll check this with the person responsible and get back to you by {time}.",
    },
    # queue updates for channels without the widget's status bar (Messenger), worded as the widget's
    "queue_position": {
        "pl_ty": "Czekasz na konsultanta – jesteś {position}. w kolejce, przewidywany czas ok. {minutes} min.",
        "pl_pan": "Czeka Pan/Pani na konsultanta – jest Pan/Pani {position}. w kolejce, przewidywany czas "
        "ok. {minutes} min.",
        "en": "Waiting for an agent – you are number {position} in the queue, expected wait about {minutes} min.",
    },
    "queue_position_no_estimate": {
        "pl_ty": "Czekasz na konsultanta – jesteś {position}. w kolejce. Odpiszemy, gdy tylko ktoś się zwolni.",
        "pl_pan": "Czeka Pan/Pani na konsultanta – jest Pan/Pani {position}. w kolejce. Odpowiemy, gdy tylko ktoś "
        "się zwolni.",
        "en": "Waiting for an agent – you are number {position} in the queue. We will reply as soon as someone "
        "is free.",
    },
    "queue_position_closed": {
        "pl_ty": "Czekasz na konsultanta – jesteś {position}. w kolejce. Jesteśmy poza godzinami pracy, "
        "odpiszemy {day} po {opens}.",
        "pl_pan": "Czeka Pan/Pani na konsultanta – jest Pan/Pani {position}. w kolejce. Jesteśmy poza godzinami "
        "pracy, odpowiemy {day} po {opens}.",
        "en": "Waiting for an agent – you are number {position} in the queue. We are outside opening hours and "
        "will reply {day} after {opens}.",
    },
}
DAY_WORDS = {"pl": {"today": "dziś", "tomorrow": "jutro"}, "en": {"today": "today", "tomorrow": "tomorrow"}}


def line(key: str, lang: str, register: str, **values: str) -> str:
    variants = LINES[key]
    template = variants["en"] if lang == "en" else variants[f"pl_{register}"]
    return template.format(**values)


def signed(text: str, name: str, lang: str, register: str) -> str:
    """A moderator's reply with their display name under it (one message: no blank line)."""
    return f"{text.rstrip()}\n{line('signature', lang, register, name=name)}"


def queue_line(state: dict[str, Any], lang: str, register: str) -> str:
    """A waiting customer's place and expected wait (or when people are back) as one line."""
    position = int(state.get("position") or 1)
    reply_by = state.get("reply_by")
    if isinstance(reply_by, str) and len(reply_by) >= 16:
        words = DAY_WORDS["en" if lang == "en" else "pl"]
        day = words.get(str(state.get("reply_day")), reply_by[:10])
        return line("queue_position_closed", lang, register, position=str(position), day=day, opens=reply_by[11:16])
    if state.get("expected_wait_minutes") is None:  # nobody available now: no number (handoff.wait_estimate)
        return line("queue_position_no_estimate", lang, register, position=str(position))
    minutes = max(1, math.ceil(float(state["expected_wait_minutes"])))
    return line("queue_position", lang, register, position=str(position), minutes=str(minutes))
