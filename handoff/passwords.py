"""Password hashes: argon2id, computed off the event loop, a few at a time.

Parameters follow the OWASP Password Storage Cheat Sheet (2023+): argon2id with 19 MiB of
memory, 2 iterations, 1 lane, which RFC 9106 section 4 allows for memory-constrained
servers; about 35 ms a hash here. Hashes made by earlier versions (scrypt, Python's hashlib)
still verify and are replaced after the next successful sign-in (``needs_rehash``).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from collections.abc import Callable
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

ARGON2_MEMORY_KIB = 19 * 1024
ARGON2_TIME_COST = 2
ARGON2_PARALLELISM = 1
ARGON2_PREFIX = "$argon2id$"
LEGACY_SCRYPT_PREFIX = "scrypt$"  # scrypt$N$r$p$salt-hex$digest-hex

T = TypeVar("T")


def hasher() -> PasswordHasher:
    return PasswordHasher(time_cost=ARGON2_TIME_COST, memory_cost=ARGON2_MEMORY_KIB, parallelism=ARGON2_PARALLELISM)


def verify_scrypt(password: str, stored: str) -> bool:
    try:
        _, n, r, p, salt, digest = stored.split("$")
        expected = bytes.fromhex(digest)
        candidate = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                                   dklen=len(expected), maxmem=2**26)
    except ValueError:
        return False
    return hmac.compare_digest(candidate, expected)


class Passwords:
    """Hash and verify with at most ``concurrency`` computations at once, each on a worker thread,
    so a flood of sign-ins queues here instead of stalling the event loop or taking every thread."""

    def __init__(self, concurrency: int) -> None:
        self.hasher = hasher()
        self._slots = asyncio.Semaphore(concurrency)
        self._dummy = ""

    async def _off_loop(self, work: Callable[..., T], *args: str) -> T:
        async with self._slots:
            return await asyncio.to_thread(work, *args)

    async def hash(self, password: str) -> str:
        return await self._off_loop(self.hasher.hash, password)

    async def verify(self, stored: str, password: str) -> bool:
        return await self._off_loop(self._verify, stored, password)

    def _verify(self, stored: str, password: str) -> bool:
        if stored.startswith(LEGACY_SCRYPT_PREFIX):
            return verify_scrypt(password, stored)
        try:
            return self.hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        return not stored.startswith(ARGON2_PREFIX) or self.hasher.check_needs_rehash(stored)

    async def dummy(self) -> str:
        """A hash of no one's password with today's parameters: an unknown login is verified against
        it, so it costs the same one computation as a known one."""
        if not self._dummy:
            self._dummy = await self.hash(secrets.token_urlsafe(16))
        return self._dummy
