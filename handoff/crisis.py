"""Crisis mode: a wave of similar upset customers (a failed delivery partner, a product recall).

The brain needs no change for this: every ticket already comes with its reasons and the likeliest
FAQ topic (the first ``topic`` item of its evidence, ``handoff.teams.ticket_topic``). Negative
tickets are counted per topic as they are made (``handoff.crisis_store``); this module holds the
plain decisions: which tickets count, when a topic's count is a surge, and what a statement is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.core import settings as env
from bot.core.settings import SettingsError
from handoff.mail import address

WINDOW_MINUTES = 30  # the sliding window a surge is counted in
BASELINE_HOURS = 24  # a topic's usual rate: its negative tickets in the whole hours before this one
FLOOR_PER_HOUR = 2.0  # the usual rate is at least this, so a quiet topic's first few tickets are no surge
DEFAULT_MIN_TICKETS = 8  # HANDOFF_CRISIS_MIN_TICKETS
DEFAULT_RISE = 3  # HANDOFF_CRISIS_RISE: the window's rate against the usual one
MAX_STATEMENT_CHARS = 1000  # one statement, each language
MAX_TOPIC_CHARS = 64  # longer topics are not counted (they are FAQ ids)
NEGATIVE_REASONS = frozenset({"anger", "negative_sentiment", "complex_or_upset", "public_complaint",
                              "public_threat", "repeated_failure", "answer_rejected"})


def is_negative(reasons: list[str]) -> bool:
    return any(r in NEGATIVE_REASONS for r in reasons)


@dataclass(frozen=True)
class CrisisSettings:
    min_tickets: int = DEFAULT_MIN_TICKETS
    rise: int = DEFAULT_RISE
    webhook_url: str = field(default="", repr=False)  # may carry a token; "": no webhook
    emails: tuple[str, ...] = ()  # the people on call; sent only when SMTP is configured (handoff.mail)
    console_url: str = "http://127.0.0.1:8008"  # where the links in notifications point

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> CrisisSettings:
        webhook = environ.get("HANDOFF_CRISIS_WEBHOOK_URL", "")
        try:
            emails = tuple(address(a) for a in environ.get("HANDOFF_CRISIS_EMAILS", "").split(",") if a.strip())
        except ValueError:
            raise SettingsError("HANDOFF_CRISIS_EMAILS must be e-mail addresses separated by commas") from None
        return cls(
            min_tickets=env.whole_number(environ, "HANDOFF_CRISIS_MIN_TICKETS", str(DEFAULT_MIN_TICKETS), 2, 10000),
            rise=env.whole_number(environ, "HANDOFF_CRISIS_RISE", str(DEFAULT_RISE), 1, 1000),
            webhook_url=env.http_url(webhook, "HANDOFF_CRISIS_WEBHOOK_URL") if webhook else "",
            emails=emails,
            console_url=env.http_url(environ.get("HANDOFF_CONSOLE_URL", cls.console_url),
                                     "HANDOFF_CONSOLE_URL").rstrip("/"),
        )


def is_surge(recent: int, usual: int, min_tickets: int, rise: float) -> bool:
    """``recent`` negative tickets of a topic in the last ``WINDOW_MINUTES`` against ``usual`` in the
    ``BASELINE_HOURS`` before: enough of them, and coming at least ``rise`` times faster than usual
    (the usual rate no lower than ``FLOOR_PER_HOUR``), so a topic that is always busy is no crisis."""
    recent_per_hour = recent * 60 / WINDOW_MINUTES
    usual_per_hour = max(usual / BASELINE_HOURS, FLOOR_PER_HOUR)
    return recent >= min_tickets and recent_per_hour >= rise * usual_per_hour


def clean_statement(data: Mapping[str, object]) -> dict[str, str]:
    """The statement's texts by language (``pl``, ``en``; at least one); ValueError naming the field."""
    texts: dict[str, str] = {}
    for lang in ("pl", "en"):
        value = data.get(lang)
        if value is None:
            continue
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{lang} must be a non-empty string")
        if len(value) > MAX_STATEMENT_CHARS:
            raise ValueError(f"{lang} is longer than {MAX_STATEMENT_CHARS} characters")
        texts[lang] = value.strip()
    if not texts:
        raise ValueError("pl or en: the statement needs a text")
    return texts


def text_for(texts: Mapping[str, str], lang: str) -> str:
    """The statement in the customer's language, else the other one."""
    return texts.get(lang) or texts.get("pl") or texts["en"]
