"""What the handoff service itself says to customers, per language and the brand's register."""

from __future__ import annotations

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
}


def line(key: str, lang: str, register: str, **values: str) -> str:
    variants = LINES[key]
    template = variants["en"] if lang == "en" else variants[f"pl_{register}"]
    return template.format(**values)


def signed(text: str, name: str, lang: str, register: str) -> str:
    """A moderator's reply with their display name under it (one message: no blank line)."""
    return f"{text.rstrip()}\n{line('signature', lang, register, name=name)}"
