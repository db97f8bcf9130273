"""The customer channels' settings, read once when Rasa creates the channels.

``ChannelSettings.from_env(os.environ)`` is called by each channel's ``from_credentials``, so a
missing or malformed variable stops the Rasa server at start, naming the variable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.core.clients import trusted_proxies
from bot.core.settings import SettingsError, choice, whole_number
from bot.rasa_side.channels.messenger_protocol import MAX_BODY_BYTES

# Text caps: the widget's own input stops at 2,000 characters and Messenger's at 2,000 too;
# longer is not a customer typing.
MAX_MESSAGE_CHARS = 2000
MAX_PAGE_CHARS = 512  # the widget's page URL in a message's metadata

# Rate limits (fixed windows, shared by every Rasa server through Redis). A person typing
# fast, or clicking quick replies, sends a message every 3 s at most: 20 a minute per
# conversation. A family or an office behind one NAT address: three such people, 60 a minute
# per IP. New conversations per IP and hour: a widget keeps its id across page loads, so a
# new one is a new browser or a cleared storage; 20 an hour covers a shared address and stops
# a script from making thousands. A Messenger customer (PSID) as a widget conversation.
CONVERSATION_PER_MINUTE = 20
IP_PER_MINUTE = 60
NEW_CONVERSATIONS_PER_IP_PER_HOUR = 20
PSID_PER_MINUTE = 20
MAX_LIMIT = 1_000_000  # benchmarks set their limits this high

_ORIGIN = re.compile(r"^https?://[a-z0-9.\-\[\]:]+$")


@dataclass(frozen=True)
class Limits:
    conversation_per_minute: int = CONVERSATION_PER_MINUTE
    ip_per_minute: int = IP_PER_MINUTE
    new_conversations_per_ip_per_hour: int = NEW_CONVERSATIONS_PER_IP_PER_HOUR
    psid_per_minute: int = PSID_PER_MINUTE

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Limits:
        def read(name: str, default: int) -> int:
            return whole_number(environ, name, str(default), 1, MAX_LIMIT, "messages")

        return cls(read("LIMIT_CONVERSATION_PER_MINUTE", CONVERSATION_PER_MINUTE),
                   read("LIMIT_IP_PER_MINUTE", IP_PER_MINUTE),
                   whole_number(environ, "LIMIT_NEW_CONVERSATIONS_PER_IP_PER_HOUR",
                                str(NEW_CONVERSATIONS_PER_IP_PER_HOUR), 1, MAX_LIMIT, "conversations"),
                   read("LIMIT_PSID_PER_MINUTE", PSID_PER_MINUTE))


@dataclass(frozen=True)
class ChannelSettings:
    rest_channel: bool = False  # REST_CHANNEL=on|off: tools and tests only, off in production
    trusted_proxies: frozenset[str] = frozenset()  # peers whose X-Forwarded-For is believed
    widget_allowed_origins: tuple[str, ...] = ()  # web sites whose pages may open a widget socket
    max_message_chars: int = MAX_MESSAGE_CHARS
    max_page_chars: int = MAX_PAGE_CHARS
    max_body_bytes: int = MAX_BODY_BYTES
    limits: Limits = Limits()

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> ChannelSettings:
        return cls(
            rest_channel=choice(environ, "REST_CHANNEL", "off", ("on", "off")) == "on",
            trusted_proxies=trusted_proxies(environ.get("TRUSTED_PROXIES", "")),
            widget_allowed_origins=allowed_origins(environ.get("WIDGET_ALLOWED_ORIGINS", "")),
            max_message_chars=whole_number(environ, "CHANNEL_MAX_MESSAGE_CHARS", str(MAX_MESSAGE_CHARS),
                                           1, 100_000, "characters"),
            max_page_chars=whole_number(environ, "WIDGET_MAX_PAGE_CHARS", str(MAX_PAGE_CHARS), 1, 8192,
                                        "characters"),
            max_body_bytes=whole_number(environ, "MESSENGER_MAX_BODY_BYTES", str(MAX_BODY_BYTES), 1024,
                                        16 * 1024 * 1024, "bytes"),
            limits=Limits.from_env(environ),
        )


def allowed_origins(raw: str) -> tuple[str, ...]:
    """``WIDGET_ALLOWED_ORIGINS``: comma-separated origins such as https://shop.example (required:
    without it any web site could drive the bot from its visitors' browsers)."""
    origins = tuple(filter(None, (part.strip() for part in raw.split(","))))
    if not origins:
        raise SettingsError("WIDGET_ALLOWED_ORIGINS must list the web sites that embed the widget, "
                            "comma-separated, e.g. https://shop.example (`make run` sets the demo page's)")
    for origin in origins:
        if not _ORIGIN.match(origin):
            raise SettingsError(f"WIDGET_ALLOWED_ORIGINS: {origin!r} is not an origin like https://shop.example "
                                "(lower case, scheme and host, optional port, no path or trailing slash)")
    return origins
