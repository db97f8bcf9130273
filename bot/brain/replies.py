"""The bot's own lines (greeting, help, clarification), in each language and register."""

from __future__ import annotations

REPLIES: dict[str, dict[str, str]] = {
    "greet": {
        "pl_ty": "Cześć! Tu asystent Volta. Pomogę Ci z zamówieniem, dostawą, zwrotem, "
        "reklamacją, płatnością albo kontem. Napisz, w czym mogę pomóc.",
        "pl_pan": "Dzień dobry! Tu asystent Volta. Pomagamy w sprawach zamówień, dostaw, zwrotów, "
        "reklamacji, płatności i kont. W czym możemy pomóc?",
        "en": "Hi! I'm Volta's assistant. I can help with orders, delivery, returns, complaints, "
        "payments and your account. What can I do for you?",
    },
    "help": {
        "pl_ty": "Odpowiem na pytania o zamówienia i ich status, dostawę, zwroty i reklamacje, "
        "płatności i raty, faktury, konto, gwarancję i nasze sklepy. Jeśli wolisz, "
        "przekażę rozmowę konsultantowi.",
        "pl_pan": "Odpowiadamy na pytania o zamówienia i ich status, dostawę, zwroty i reklamacje, "
        "płatności i raty, faktury, konto, gwarancję i nasze sklepy. Na życzenie przekażemy "
        "rozmowę konsultantowi.",
        "en": "I can answer questions about orders and their status, delivery, returns and "
        "complaints, payments and instalments, invoices, your account, warranty and our "
        "stores. If you prefer, I can pass you to a person.",
    },
    "thanks": {
        "pl_ty": "Nie ma sprawy! Jeśli coś jeszcze, pisz śmiało.",
        "pl_pan": "Cała przyjemność po naszej stronie. W razie pytań jesteśmy do dyspozycji.",
        "en": "You're welcome! Let me know if there's anything else.",
    },
    "goodbye": {
        "pl_ty": "Do usłyszenia! Miłego dnia.",
        "pl_pan": "Dziękujemy za wiadomość i życzymy miłego dnia.",
        "en": "Goodbye, have a nice day!",
    },
    "attachment": {
        "pl_ty": "Dzięki za załącznik! Na razie czytam tylko wiadomości tekstowe, więc opisz proszę "
        "w kilku słowach, w czym mogę pomóc. Jeśli to zdjęcie do reklamacji, konsultant je zobaczy.",
        "pl_pan": "Dziękujemy za załącznik. Na razie odczytujemy tylko wiadomości tekstowe, prosimy więc "
        "opisać sprawę w kilku słowach. Zdjęcia do reklamacji zobaczy nasz konsultant.",
        "en": "Thanks for the attachment! I can only read text for now, so please tell me in a few "
        "words how I can help. If it's a photo for a complaint, our team will see it.",
    },
    "rejected": {
        "pl_ty": "Przepraszam, że to nie pomogło. Może chodzi o któryś z tych tematów? "
        "Jeśli nie, napisz, a przekażę rozmowę konsultantowi.",
        "pl_pan": "Przepraszamy, że to nie pomogło. Czy chodzi o któryś z tych tematów? "
        "Jeśli nie, przekażemy rozmowę konsultantowi.",
        "en": "Sorry that didn't help. Is it one of these? If not, just say so and I'll pass you to a person.",
    },
    "clarify": {
        "pl_ty": "Nie jestem pewien, o co dokładnie pytasz. Chodzi o któryś z tych tematów?",
        "pl_pan": "Chcemy dobrze zrozumieć pytanie. Czy chodzi o jeden z tych tematów?",
        "en": "I'm not sure what exactly you mean. Is it one of these?",
    },
    "handoff": {
        "pl_ty": "Tę sprawę najlepiej załatwi konsultant. Zadzwoń: +48 22 100 20 30 (pn-pt 8-20, sob 9-17) "
        "albo napisz na pomoc@volta.example – odpowiadamy w ciągu 1 dnia roboczego.",
        "pl_pan": "Tę sprawę najlepiej wyjaśni nasz konsultant. Zapraszamy do kontaktu: +48 22 100 20 30 "
        "(pn-pt 8-20, sob 9-17) lub pomoc@volta.example – odpowiadamy w ciągu 1 dnia roboczego.",
        "en": "A member of our team is best placed to help with this. Call +48 22 100 20 30 (Mon-Fri 8-20, "
        "Sat 9-17) or e-mail pomoc@volta.example – we reply within 1 business day.",
    },
    "queued": {
        "pl_ty": "Przekazuję rozmowę konsultantowi – odpisze tutaj. Jesteś {position}. w kolejce, "
        "przewidywany czas oczekiwania to ok. {minutes} min.",
        "pl_pan": "Przekazujemy rozmowę konsultantowi, który odpowie w tym miejscu. Jest Pan/Pani {position}. "
        "w kolejce, przewidywany czas oczekiwania to ok. {minutes} min.",
        "en": "I'm passing you to a member of our team, who will reply here. You're number {position} in the "
        "queue; the expected wait is about {minutes} min.",
    },
    "queued_no_estimate": {
        "pl_ty": "Przekazuję rozmowę konsultantowi – odpisze tutaj, gdy tylko ktoś się zwolni. Jesteś {position}. "
        "w kolejce.",
        "pl_pan": "Przekazujemy rozmowę konsultantowi, który odpowie w tym miejscu, gdy tylko ktoś się zwolni. "
        "Jest Pan/Pani {position}. w kolejce.",
        "en": "I'm passing you to a member of our team, who will reply here as soon as someone is free. You're "
        "number {position} in the queue.",
    },
    "queued_closed": {
        "pl_ty": "Przekazuję rozmowę konsultantowi. Nasz zespół pracuje od {opens}, odpisze tutaj najpóźniej "
        "{day} po {opens}. Jesteś {position}. w kolejce.",
        "pl_pan": "Przekazujemy rozmowę konsultantowi. Nasz zespół pracuje od {opens} i odpowie w tym miejscu "
        "{day} po {opens}. Jest Pan/Pani {position}. w kolejce.",
        "en": "I'm passing you to our team. We're back at {opens} and will reply here {day} after {opens}. "
        "You're number {position} in the queue.",
    },
    "handoff_limited": {
        "pl_ty": "Z tego połączenia czeka już kilka zgłoszeń do naszego zespołu – odpowiemy na nie po kolei. "
        "Jeśli sprawa jest pilna, zadzwoń: +48 22 100 20 30 (pn-pt 8-20, sob 9-17) albo napisz na "
        "pomoc@volta.example.",
        "pl_pan": "Z tego połączenia czeka już kilka zgłoszeń do naszego zespołu – odpowiemy na nie po kolei. "
        "W pilnej sprawie zapraszamy do kontaktu: +48 22 100 20 30 (pn-pt 8-20, sob 9-17) lub "
        "pomoc@volta.example.",
        "en": "Several requests from this connection are already waiting for our team, and we'll answer them in "
        "turn. If it's urgent, call +48 22 100 20 30 (Mon-Fri 8-20, Sat 9-17) or e-mail pomoc@volta.example.",
    },
    "with_moderator": {
        "pl_ty": "{name} z naszego zespołu już prowadzi tę rozmowę i zaraz odpisze.",
        "pl_pan": "{name} z naszego zespołu prowadzi już tę rozmowę i wkrótce odpowie.",
        "en": "{name} from our team is handling this conversation and will reply shortly.",
    },
    "out_of_scope": {
        "pl_ty": "Tu raczej nie pomogę – jestem asystentem sklepu Volta. Mogę odpowiedzieć na pytania o "
        "zamówienia, dostawę, zwroty, reklamacje, płatności, konto i nasze sklepy. Jeśli wolisz, napisz "
        "„konsultant”, a przekażę rozmowę człowiekowi.",
        "pl_pan": "W tej sprawie niestety nie pomożemy – to czat sklepu Volta. Odpowiadamy na pytania o "
        "zamówienia, dostawę, zwroty, reklamacje, płatności, konto i nasze sklepy. Na życzenie przekażemy "
        "rozmowę konsultantowi – wystarczy napisać „konsultant”.",
        "en": "I can't help with that, I'm Volta's shop assistant. I can answer questions about orders, "
        "delivery, returns, complaints, payments, your account and our stores. Type \"agent\" to talk to a person.",
    },
    "empty": {
        "pl_ty": "Napisz proszę, w czym mogę pomóc.",
        "pl_pan": "Prosimy napisać, w czym możemy pomóc.",
        "en": "Please tell me what I can help you with.",
    },
}


DAY_WORDS = {"pl": {"today": "dziś", "tomorrow": "jutro"}, "en": {"today": "today", "tomorrow": "tomorrow"}}


def reply(key: str, lang: str, register: str = "ty", **values: object) -> str:
    """The line ``key`` in ``lang``; Polish in the brand's register; ``values`` fill its blanks."""
    variants = REPLIES[key]
    line = variants["en"] if lang == "en" else variants[f"pl_{register}"]
    return line.format(**values) if values else line


def handoff_reply(state: dict[str, object], lang: str, register: str = "ty") -> str:
    """What a customer handed to people is told: their place and wait, or when people are back."""
    if state.get("state") == "human":
        return reply("with_moderator", lang, register, name=state.get("moderator", ""))
    position, minutes = state.get("position", 1), state.get("expected_wait_minutes")
    reply_by = state.get("reply_by")
    if isinstance(reply_by, str) and len(reply_by) >= 16:
        words = DAY_WORDS["en" if lang == "en" else "pl"]
        day = words.get(str(state.get("reply_day")), reply_by[:10])
        return reply("queued_closed", lang, register, opens=reply_by[11:16], day=day, position=position)
    if minutes is None:  # nobody available right now: no number (handoff.wait_estimate)
        return reply("queued_no_estimate", lang, register, position=position)
    return reply("queued", lang, register, position=position, minutes=minutes)
