"""Who sent a message, as the channel saw it, and what of the client's metadata is kept.

Plain functions: the widget and REST channels call them at their boundary. The client's IP
goes into the message's metadata as ``client_ip`` (the rate limits and the handoff service's
ticket caps read it); everything the client sent is reduced to ``CLIENT_FIELDS``, so a
client cannot set ``client_ip`` or ``customer_name`` nor store kilobytes in every event.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from typing import Any

CLIENT_IP = "client_ip"
LANG = "lang"
PAGE = "page"
CLIENT_FIELDS = (LANG, PAGE)  # the widget sends its language and may send the page it is on
LANGUAGES = ("pl", "en")  # the widget's (handoff/static/widget/widget.js)
_PAGE = re.compile(r"^https?://\S+$")


def normal_ip(value: str) -> str | None:
    """An IP address in one spelling (a dual-stack socket's ``::ffff:a.b.c.d`` as ``a.b.c.d``); None if not one."""
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return str(mapped or address)


def client_ip(peer: str | None, forwarded_for: Iterable[str], trusted: frozenset[str]) -> str:
    """The client's address: the socket's peer, or, when the peer is a trusted proxy, the
    X-Forwarded-For hop that proxy added. Read from the right, skipping trusted proxies: a
    client may send its own X-Forwarded-For, which HAProxy keeps in front of the real hop."""
    address = normal_ip(peer or "") or ""
    if address not in trusted:
        return address
    hops = [hop for header in forwarded_for for hop in header.split(",")]
    for hop in reversed(hops):
        seen = normal_ip(hop)
        if seen is None:
            return address  # a malformed header: keep what the socket says
        if seen not in trusted:
            return seen
        address = seen
    return address


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
