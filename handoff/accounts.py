"""Moderator and admin accounts and their sign-in sessions, in Redis.

Passwords are hashed with scrypt (RFC 7914, Python's hashlib) and a random salt per
password; sessions are random tokens kept in Redis with a sliding expiry, each with its own
CSRF token. An admin makes accounts with ``python -m handoff.admin``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from enum import Enum
from typing import Any

from redis.asyncio import Redis

from bot.core import keys
from bot.core.text import as_str
from handoff.errors import BadRequest, Conflict, NotFound

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SESSION_SECONDS = 12 * 3600
MIN_PASSWORD_CHARS = 10
LOGIN = re.compile(r"^[a-z0-9._-]{2,32}$")
ONLINE_SECONDS = 300  # a moderator seen within this counts as online (for expected waits)


class Role(str, Enum):
    MODERATOR = "moderator"
    ADMIN = "admin"


@dataclass(frozen=True)
class Account:
    login: str
    display_name: str
    role: Role

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


@dataclass(frozen=True)
class Session:
    token: str
    account: Account
    csrf: str


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        candidate = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                                   dklen=len(bytes.fromhex(digest)))
    except ValueError:
        return False
    return hmac.compare_digest(candidate.hex(), digest)


class Accounts:
    def __init__(self, client: Redis) -> None:
        self.redis: Any = client

    async def create(self, login: str, display_name: str, role: Role, password: str) -> Account:
        if not LOGIN.match(login):
            raise BadRequest("login must be 2-32 characters: lower-case letters, digits, '.', '_' or '-'")
        if not display_name.strip() or len(display_name) > 60:
            raise BadRequest("display name must be 1-60 characters")
        if len(password) < MIN_PASSWORD_CHARS:
            raise BadRequest(f"password must be at least {MIN_PASSWORD_CHARS} characters")
        record = {"login": login, "display_name": display_name.strip(), "role": role.value,
                  "password": hash_password(password), "created_at": repr(time.time())}
        if not await self.redis.hsetnx(keys.user(login), "login", login):
            raise Conflict(f"account {login} exists")
        await self.redis.hset(keys.user(login), mapping=record)
        await self.redis.sadd(keys.USERS, login)
        return Account(login, record["display_name"], role)

    async def set_password(self, login: str, password: str) -> None:
        await self.get(login)
        if len(password) < MIN_PASSWORD_CHARS:
            raise BadRequest(f"password must be at least {MIN_PASSWORD_CHARS} characters")
        await self.redis.hset(keys.user(login), "password", hash_password(password))

    async def get(self, login: str) -> Account:
        raw = await self.redis.hgetall(keys.user(login))
        if not raw:
            raise NotFound(f"account {login} not found")
        return _account(raw)

    async def all(self) -> list[Account]:
        logins = sorted(as_str(x) for x in await self.redis.smembers(keys.USERS))
        return [await self.get(login) for login in logins]

    async def authenticate(self, login: str, password: str) -> Account | None:
        raw = await self.redis.hgetall(keys.user(login)) if LOGIN.match(login) else {}
        stored = as_str(raw.get("password", raw.get(b"password", ""))) if raw else hash_password("x")
        if not verify_password(password, stored) or not raw:  # same work whether or not the login exists
            return None
        return _account(raw)

    async def start_session(self, account: Account) -> Session:
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        await self.redis.hset(keys.session(token), mapping={"login": account.login, "csrf": csrf})
        await self.redis.expire(keys.session(token), SESSION_SECONDS)
        return Session(token, account, csrf)

    async def session(self, token: str) -> Session | None:
        if not token or len(token) > 100:
            return None
        raw = await self.redis.hgetall(keys.session(token))
        if not raw:
            return None
        fields = {as_str(k): as_str(v) for k, v in raw.items()}
        try:
            account = await self.get(fields["login"])
        except NotFound:
            return None
        await self.redis.expire(keys.session(token), SESSION_SECONDS)
        await self.redis.zadd(keys.ONLINE, {account.login: time.time()})
        return Session(token, account, fields["csrf"])

    async def end_session(self, token: str) -> None:
        await self.redis.delete(keys.session(token))

    async def online_count(self, now: float | None = None) -> int:
        now = time.time() if now is None else now
        return int(await self.redis.zcount(keys.ONLINE, now - ONLINE_SECONDS, "+inf"))



def _account(raw: dict[Any, Any]) -> Account:
    fields = {as_str(k): as_str(v) for k, v in raw.items()}
    return Account(fields["login"], fields["display_name"], Role(fields["role"]))
