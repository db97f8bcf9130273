"""Sending e-mail over SMTP (``aiosmtplib``: async, so the event loop never waits on a socket).

Settings: ``SMTP_HOST`` (unset: e-mail is off and the console hides what needs it), ``SMTP_PORT``
(587), ``SMTP_USER``, ``SMTP_PASSWORD``, ``SMTP_STARTTLS`` (true), ``SMTP_FROM``; the experts the
console offers (``HANDOFF_EXPERTS``: ``Name <address>, ...``) and the bearer token of the inbound
mail webhook (``HANDOFF_INBOUND_EMAIL_TOKEN``) live here too, with the consultations they serve.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr

import aiosmtplib

from bot.core import settings as env
from bot.core.settings import SettingsError

SMTP_TIMEOUT_SECONDS = 20  # connecting, greeting and sending one message
DEFAULT_CONSULT_DAYS = 30  # HANDOFF_CONSULT_DAYS: how long an expert's reply is still taken
MAX_ADDRESS_CHARS = 254
ADDRESS = re.compile(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+")


def address(value: object) -> str:
    """One plain e-mail address (``a@b.example``), lower-cased; ValueError otherwise."""
    if not isinstance(value, str) or len(value) > MAX_ADDRESS_CHARS:
        raise ValueError("must be an e-mail address")
    _, plain = parseaddr(value.strip())
    if not ADDRESS.fullmatch(plain):
        raise ValueError("must be an e-mail address")
    return plain.lower()


def parse_experts(raw: str) -> tuple[tuple[str, str], ...]:
    """``HANDOFF_EXPERTS``: ``Name <address>, Name <address>`` as (name, address) pairs."""
    experts = []
    for name, plain in getaddresses([raw]) if raw.strip() else []:
        try:
            experts.append((name.strip() or plain, address(plain)))
        except ValueError:
            raise SettingsError(f"HANDOFF_EXPERTS must be 'Name <address>, ...', got {plain!r}") from None
    return tuple(experts)


@dataclass(frozen=True)
class MailSettings:
    smtp_host: str = ""  # empty: e-mail is off
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_starttls: bool = True
    smtp_from: str = ""
    experts: tuple[tuple[str, str], ...] = ()
    inbound_token: str = field(default="", repr=False)
    consult_days: int = DEFAULT_CONSULT_DAYS

    @property
    def enabled(self) -> bool:
        return bool(self.smtp_host)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> MailSettings:
        host = environ.get("SMTP_HOST", "")
        sender = environ.get("SMTP_FROM", "")
        if host:
            try:
                address(sender)
            except ValueError:
                raise SettingsError(f"SMTP_FROM must be the e-mail address consultations are sent from when "
                                    f"SMTP_HOST is set, got {sender!r}") from None
        token = environ.get("HANDOFF_INBOUND_EMAIL_TOKEN", "")
        if token:
            token = env.secret(environ, "HANDOFF_INBOUND_EMAIL_TOKEN", "the inbound mail webhook's bearer token")
        return cls(
            smtp_host=host, smtp_port=env.port(environ, "SMTP_PORT", "587"),
            smtp_user=environ.get("SMTP_USER", ""), smtp_password=environ.get("SMTP_PASSWORD", ""),
            smtp_starttls=env.choice(environ, "SMTP_STARTTLS", "true", ("true", "false")) == "true",
            smtp_from=sender, experts=parse_experts(environ.get("HANDOFF_EXPERTS", "")), inbound_token=token,
            consult_days=env.whole_number(environ, "HANDOFF_CONSULT_DAYS", str(DEFAULT_CONSULT_DAYS), 1, 365, "days"),
        )


async def send(settings: MailSettings, message: EmailMessage) -> None:
    """Send one message; aiosmtplib's errors (``SMTPException``, ``OSError``) reach the caller."""
    await aiosmtplib.send(message, hostname=settings.smtp_host, port=settings.smtp_port,
                          username=settings.smtp_user or None, password=settings.smtp_password or None,
                          start_tls=settings.smtp_starttls, timeout=SMTP_TIMEOUT_SECONDS)
