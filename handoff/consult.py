"""Consulting an expert by e-mail: plain functions (the message, the reply address, the reply).

The moderator asks from the ticket; the e-mail carries the customer's latest messages (never the
internal notes) and a per-consultation secret token twice: in the ``Reply-To`` address
(``care+consult-<token>@brand.example``) and in the subject. The expert's answer comes back
through the inbound mail webhook (``handoff.consult_api``) and is taken only for an open
consultation and from the consulted address; quoted text is cut off before it becomes a note.
"""

from __future__ import annotations

import re
import secrets
from email.message import EmailMessage
from typing import Any

from handoff.transcript import transcript

TOKEN_BYTES = 16  # 32 hex characters
CONTEXT_MESSAGES = 10  # the customer's latest messages put into the e-mail
TOKEN_IN_ADDRESS = re.compile(r"\+consult-([0-9a-f]{32})@", re.IGNORECASE)
TOKEN_IN_SUBJECT = re.compile(r"\[consult:([0-9a-f]{32})\]", re.IGNORECASE)
# the line a mail client puts above the quoted message: English, Polish, and Outlook's header block
QUOTE_HEADER = re.compile(r"^\s*(On\s.+\swrote:|W dniu\s.+\snapisał(a|\(a\))?:|-----\s*Original Message\s*-----"
                          r"|From:\s.+)\s*$", re.IGNORECASE)


def new_token() -> str:
    return secrets.token_hex(TOKEN_BYTES)


def reply_address(sender: str, token: str) -> str:
    """``care@brand.example`` -> ``care+consult-<token>@brand.example`` (plus addressing)."""
    local, _, domain = sender.partition("@")
    return f"{local.split('+')[0]}+consult-{token}@{domain}"


def token_of(to: str, subject: str) -> str | None:
    """The consultation token from the reply's recipient address, else from its subject."""
    found = TOKEN_IN_ADDRESS.search(to) or TOKEN_IN_SUBJECT.search(subject)
    return found.group(1).lower() if found else None


def customer_lines(events: list[dict[str, Any]], count: int = CONTEXT_MESSAGES) -> list[str]:
    """The customer's latest messages, oldest first (bot and moderator lines left out)."""
    return [t["text"] for t in transcript(events) if t["role"] == "customer"][-count:]


def message(*, ticket_id: str, sender: str, to: str, token: str, question: str, moderator: str,
            context: list[str]) -> EmailMessage:
    mail = EmailMessage()
    mail["From"], mail["To"] = sender, to
    mail["Reply-To"] = reply_address(sender, token)
    mail["Subject"] = f"[{ticket_id}] Pytanie od obsługi klienta [consult:{token}]"
    quoted = "\n".join(f"| {line}" for text in context for line in text.splitlines()) or "| (brak)"
    mail.set_content(f"{question}\n\n— {moderator}\n\nOstatnie wiadomości klienta:\n{quoted}\n\n"
                     "Proszę odpowiedzieć na tę wiadomość; odpowiedź trafi do zgłoszenia.\n")
    return mail


def strip_quoted(text: str) -> str:
    """The expert's own words: quoted lines (">") dropped, and everything from the client's
    "On … wrote:" line on."""
    kept: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if QUOTE_HEADER.match(line):
            break
        if not line.lstrip().startswith(">"):
            kept.append(line.rstrip())
    return "\n".join(kept).strip()
