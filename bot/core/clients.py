"""Who is asking, as limits count it: one key per subscriber.

The handoff service caps open tickets per key (``handoff/admission.py``) and the action server
shares the brain between keys (``actions/fair_queue.py``); both must count the same way.
"""

from __future__ import annotations

import ipaddress

IPV6_CLIENT_PREFIX = 64  # one subscriber gets a /64: counting single addresses would let one rotate


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
