"""Moderator and admin accounts, in Redis, and their sign-in sessions (``handoff.sessions``).

Passwords are hashed with argon2id off the event loop (``handoff.passwords``). An admin makes,
disables, enables and removes accounts and sets passwords with ``python -m handoff.admin``;
a password change, a disable and a removal end all of the account's sessions.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from enum import Enum
from typing import Any

from redis.asyncio import Redis

from bot.core import keys
from bot.core.text import as_str
from handoff import clock
from handoff.errors import BadRequest, Conflict, NotFound
from handoff.passwords import Passwords
from handoff.sessions import Sessions, token_hash
from handoff.sign_in_limits import SignInLimits

MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 200  # the sign-in form's field limit
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
    disabled: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


@dataclass(frozen=True)
class Session:
    token: str
    account: Account
    csrf: str

    @property
    def key(self) -> str:
        """The SHA-256 of the token: the session's name in Redis and on ``keys.SESSIONS_ENDED``."""
        return token_hash(self.token)


def _check_password(password: str) -> None:
    if not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
        raise BadRequest(f"password must be {MIN_PASSWORD_CHARS}-{MAX_PASSWORD_CHARS} characters")


class Accounts:
    def __init__(self, client: Redis, limits: SignInLimits | None = None) -> None:
        limits = limits or SignInLimits()
        self.redis: Any = client
        self.passwords = Passwords(limits.hash_concurrency)
        self.sessions = Sessions(client, limits.session_idle_seconds, limits.session_max_seconds)

    async def create(self, login: str, display_name: str, role: Role, password: str) -> Account:
        if not LOGIN.match(login):
            raise BadRequest("login must be 2-32 characters: lower-case letters, digits, '.', '_' or '-'")
        if not display_name.strip() or len(display_name) > 60:
            raise BadRequest("display name must be 1-60 characters")
        _check_password(password)
        record = {"login": login, "display_name": display_name.strip(), "role": role.value,
                  "password": await self.passwords.hash(password), "created_at": repr(time.time())}
        if not await self.redis.hsetnx(keys.user(login), "login", login):
            raise Conflict(f"account {login} exists")
        await self.redis.hset(keys.user(login), mapping=record)
        await self.redis.sadd(keys.USERS, login)
        return Account(login, record["display_name"], role)

    async def set_password(self, login: str, password: str) -> None:
        """A new password; every session of the account ends."""
        await self.get(login)
        _check_password(password)
        await self.redis.hset(keys.user(login), "password", await self.passwords.hash(password))
        await self.sessions.end_all(login)

    async def get(self, login: str) -> Account:
        raw = await self.redis.hgetall(keys.user(login)) if LOGIN.match(login) else {}
        if not raw:
            raise NotFound(f"account {login} not found")
        return _account(raw)

    async def all(self) -> list[Account]:
        logins = sorted(as_str(x) for x in await self.redis.smembers(keys.USERS))
        return [await self.get(login) for login in logins]

    async def set_disabled(self, login: str, disabled: bool) -> Account:
        """Disable (no sign-in, every session ends) or enable an account."""
        await self.get(login)
        await self.redis.hset(keys.user(login), "disabled", "1" if disabled else "")
        if disabled:
            await self.sessions.end_all(login)
            await self.redis.zrem(keys.ONLINE, login)
        return await self.get(login)

    async def remove(self, login: str) -> None:
        await self.get(login)
        await self.redis.delete(keys.user(login))
        await self.redis.srem(keys.USERS, login)
        await self.redis.zrem(keys.ONLINE, login)
        await self.sessions.end_all(login)

    async def authenticate(self, login: str, password: str) -> Account | None:
        """The account if the password is right and it is enabled. Exactly one hash is verified
        whether or not the login exists, so the answer's cost does not tell which logins do."""
        password = password[:MAX_PASSWORD_CHARS]
        raw = await self.redis.hgetall(keys.user(login)) if LOGIN.match(login) else {}
        fields = {as_str(k): as_str(v) for k, v in raw.items()}
        stored = fields.get("password") or await self.passwords.dummy()
        if not await self.passwords.verify(stored, password) or not fields:
            return None
        account = _account(fields)
        if account.disabled:
            return None
        if self.passwords.needs_rehash(stored):  # an older scheme or weaker parameters: upgrade now
            await self.redis.hset(keys.user(login), "password", await self.passwords.hash(password))
        return account

    async def start_session(self, account: Account) -> Session:
        token, csrf = await self.sessions.start(account.login)
        return Session(token, account, csrf)

    async def session(self, token: str) -> Session | None:
        record = await self.sessions.get(token)
        if record is None:
            return None
        try:
            account = await self.get(record.login)
        except NotFound:
            return None
        if account.disabled:
            return None
        await self.redis.zadd(keys.ONLINE, {account.login: clock.now()})
        return Session(token, account, record.csrf)

    async def end_session(self, token: str) -> None:
        await self.sessions.end(token)

    async def online_count(self, now: float | None = None) -> int:
        now = clock.now() if now is None else now
        return int(await self.redis.zcount(keys.ONLINE, now - ONLINE_SECONDS, "+inf"))


def _account(raw: dict[Any, Any]) -> Account:
    fields = {as_str(k): as_str(v) for k, v in raw.items()}
    return Account(fields["login"], fields["display_name"], Role(fields["role"]), bool(fields.get("disabled")))
