"""Who sent a message, as the channel saw it, and what of the client's metadata is kept.

Plain functions: the widget and REST channels call them at their boundary. The client's IP
goes into the message's metadata as ``client_ip`` (the rate limits and the handoff service's
ticket caps read it); everything the client sent is reduced to ``CLIENT_FIELDS``, so a
client cannot set ``client_ip`` or ``customer_name`` nor store kilobytes in every event.
"""

from __future__ import annotations

import re
from typing import Any

from bot.core.clients import client_ip as client_ip  # its home; the channels import it from here too

CLIENT_IP = "client_ip"
LANG = "lang"
PAGE = "page"
CLIENT_FIELDS = (LANG, PAGE)  # the widget sends its language and may send the page it is on
LANGUAGES = ("pl", "en")  # the widget's (handoff/static/widget/widget.js)
_PAGE = re.compile(r"^https?://\S+$")


def customer_metadata(raw: Any, ip: str, max_page_chars: int) -> dict[str, str]:
    """The client's metadata reduced to known small fields, with the server-set ``client_ip``."""
    sent = raw if isinstance(raw, dict) else {}
    kept: dict[str, str] = {CLIENT_IP: ip}
    lang = sent.get(LANG)
    if isinstance(lang, str) and lang in LANGUAGES:
        kept[LANG] = lang
    page = sent.get(PAGE)
    if isinstance(page, str) and len(page) <= max_page_chars and _PAGE.match(page):
        kept[PAGE] = page
    return kept
