"""One sign-in attempt: throttled per login and per client address before any hash is computed.

The client's address is the socket's peer, or, when that peer is one of ``TRUSTED_PROXIES``
(HAProxy in ``make run-replicas``), the ``X-Forwarded-For`` hop that proxy added: read from
the right, past further trusted proxies (hops further left are whatever the client sent).
"""

from __future__ import annotations

import hashlib
import math

from aiohttp import web

from bot.core.clients import client_ip as peer_address
from handoff.accounts import LOGIN, Account, Accounts
from handoff.errors import HandoffError
from handoff.throttle import SignInThrottle

UNKNOWN_ADDRESS = "unknown"


class Throttled(HandoffError):
    status = 429

    def __init__(self, retry_after: float) -> None:
        self.retry_after = max(1, math.ceil(retry_after))
        super().__init__(f"too many sign-in attempts; try again in {self.retry_after} s")


def client_ip(request: web.Request, trusted_proxies: frozenset[str]) -> str:
    """The address this attempt counts against (``bot.core.clients.client_ip``)."""
    return peer_address(request.remote, request.headers.getall("X-Forwarded-For", []), trusted_proxies) \
        or UNKNOWN_ADDRESS


def login_bucket(login: str) -> str:
    """Throttle key part for a login: itself when well formed, else a short digest (bounded, no odd
    characters in key names; such logins never exist, but cost and wait the same)."""
    return login if LOGIN.match(login) else "~" + hashlib.sha256(login.encode()).hexdigest()[:16]


class SignIn:
    def __init__(self, accounts: Accounts, throttle: SignInThrottle) -> None:
        self.accounts, self.throttle = accounts, throttle

    async def attempt(self, login: str, password: str, ip: str) -> Account | None:
        """The account, or None for a wrong login or password; raises ``Throttled`` before any hashing
        when this login or address has failed too often lately."""
        bucket = login_bucket(login)
        wait = await self.throttle.reserve(bucket, ip)
        if wait > 0:
            raise Throttled(wait)
        account = await self.accounts.authenticate(login, password)
        if account is not None:
            await self.throttle.succeeded(bucket, ip)
        return account
