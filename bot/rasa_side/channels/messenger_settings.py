"""The Messenger channel's own settings, read once when Rasa creates the channel.

``MessengerSettings.from_env(os.environ)`` is called by ``MessengerInput.from_credentials``,
so a malformed variable stops the Rasa server at start, naming the variable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.core.settings import SettingsError, choice, whole_number

DEFAULT_GET_STARTED_PAYLOAD = "GET_STARTED"  # what pages commonly configure for the "Get Started" button
MAX_POSTBACK_PAYLOAD_CHARS = 1000  # Meta's limit for a postback payload
PAGE_LANGUAGES = ("pl", "en")
PROFILE_TTL_SECONDS = 7 * 24 * 3600  # a customer's name and locale rarely change within a week
MAX_PROFILE_TTL_SECONDS = 90 * 24 * 3600
PROFILE_WAIT_MS = 300  # the longest a message waits for a profile still being fetched
MAX_PROFILE_WAIT_MS = 5000


@dataclass(frozen=True)
class MessengerSettings:
    get_started_payload: str = DEFAULT_GET_STARTED_PAYLOAD  # MESSENGER_GET_STARTED_PAYLOAD
    page_lang: str = "pl"  # MESSENGER_PAGE_LANG: the greeting's language when the profile has no locale
    profile_ttl_seconds: int = PROFILE_TTL_SECONDS  # MESSENGER_PROFILE_TTL_SECONDS
    profile_wait_ms: int = PROFILE_WAIT_MS  # MESSENGER_PROFILE_WAIT_MS

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> MessengerSettings:
        payload = environ.get("MESSENGER_GET_STARTED_PAYLOAD", DEFAULT_GET_STARTED_PAYLOAD)
        if not payload.strip() or len(payload) > MAX_POSTBACK_PAYLOAD_CHARS:
            raise SettingsError("MESSENGER_GET_STARTED_PAYLOAD must be the Get Started button's postback payload "
                                f"(1-{MAX_POSTBACK_PAYLOAD_CHARS} characters), got {payload[:80]!r}")
        return cls(
            get_started_payload=payload,
            page_lang=choice(environ, "MESSENGER_PAGE_LANG", "pl", PAGE_LANGUAGES),
            profile_ttl_seconds=whole_number(environ, "MESSENGER_PROFILE_TTL_SECONDS", str(PROFILE_TTL_SECONDS),
                                             60, MAX_PROFILE_TTL_SECONDS, "seconds"),
            profile_wait_ms=whole_number(environ, "MESSENGER_PROFILE_WAIT_MS", str(PROFILE_WAIT_MS),
                                         0, MAX_PROFILE_WAIT_MS, "milliseconds"),
        )


__all__ = ["MessengerSettings", "SettingsError"]
