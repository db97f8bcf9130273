"""Who is asking: the client's address as a server saw it, and the key limits count it by.

The Rasa channels and the handoff service's sign-in read the address the same way
(``client_ip``: X-Forwarded-For only from ``TRUSTED_PROXIES``); the handoff service caps open
tickets per key (``handoff/admission.py``) and the action server and the Rasa server share
their work between keys (``actions/fair_queue.py``, ``bot/rasa_side/patches/fair_share.py``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from bot.core.conversation_ids import MESSENGER_PREFIX
from bot.core.settings import SettingsError

IPV6_CLIENT_PREFIX = 64  # one subscriber gets a /64: counting single addresses would let one rotate
NEW_MESSENGER = "messenger:new"  # Messenger gives no address: customers not yet known share one turn


def client_key(client_ip: str) -> str:
    """The IPv4 address, or the IPv6 /64 (an IPv4-mapped address counts as its IPv4); "" when
    unknown. ValueError for something that is not an address."""
    if not client_ip:
        return ""
    address = ipaddress.ip_address(client_ip)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return str(address.ipv4_mapped)
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{address}/{IPV6_CLIENT_PREFIX}", strict=False))
    return str(address)


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


def trusted_proxies(raw: str) -> frozenset[str]:
    """``TRUSTED_PROXIES``: comma-separated IP addresses (empty: trust no proxy)."""
    out = set()
    for item in filter(None, (part.strip() for part in raw.split(","))):
        address = normal_ip(item)
        if address is None:
            raise SettingsError(f"TRUSTED_PROXIES must be comma-separated IP addresses, got {item!r}")
        out.add(address)
    return frozenset(out)


def turn_client(sender_id: str, metadata: object, established: bool) -> str:
    """Whose turn a message is when work is shared (the Rasa server's and the brain's): the
    address the channel saw (``client_ip`` in the message's metadata) as ``client_key`` counts it;
    a Messenger customer not ``established`` yet shares ``NEW_MESSENGER`` with every other such
    customer (PSIDs cost a script nothing to rotate); otherwise the conversation."""
    ip = metadata.get("client_ip") if isinstance(metadata, dict) else None
    if isinstance(ip, str) and ip:
        try:
            return "ip:" + client_key(ip)
        except ValueError:
            pass
    if sender_id.startswith(MESSENGER_PREFIX) and not established:
        return NEW_MESSENGER
    return "conversation:" + sender_id
