"""Who a Messenger customer is: name and language from the Graph API's user profile.

A profile is fetched once per customer and kept in Redis (``MessengerKeys.profile``) for
``MESSENGER_PROFILE_TTL_SECONDS``; a failure is kept too, for ``FAILURE_TTL_SECONDS``, so a
profile Meta will not give is not asked for again with every message. The webhook starts the
fetch as it accepts an event (``prefetch``, at most ``MAX_CONCURRENT_FETCHES`` at a time), so
when the inbox worker handles the message the profile is usually cached; the worker waits
for a fetch still running at most ``MESSENGER_PROFILE_WAIT_MS`` and never for one that failed.
Whatever the Graph API answers that is not a plausible profile is logged and treated as unknown.
"""

from __future__ import annotations

import asyncio
import json
import logging
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.core.keys import MessengerKeys
from bot.core.text import as_str

logger = logging.getLogger(__name__)

PROFILE_FIELDS = "first_name,last_name,locale"
MAX_NAME_CHARS = 80  # "First Last" longer than this is not a name (the handoff service's limit too)
MAX_LOCALE_CHARS = 16
FAILURE_TTL_SECONDS = 15 * 60
MAX_CONCURRENT_FETCHES = 4
MAX_PENDING_FETCHES = 1000  # past this, a burst of new customers is fetched when their messages are handled
CUSTOMER_NAME, LANG = "customer_name", "lang"  # the user message's metadata (K1)

Fetch = Callable[[str], Awaitable[tuple[int, bytes]]]  # psid -> (HTTP status, body)


class ProfileError(ValueError):
    """What the Graph API answered is not a profile we can use; the message says why."""


@dataclass(frozen=True)
class Profile:
    name: str = ""  # "First Last"; "" when the profile has none
    lang: str | None = None  # "pl" or "en" from the locale; None for any other

    def metadata(self) -> dict[str, str]:
        out = {CUSTOMER_NAME: self.name} if self.name else {}
        if self.lang:
            out[LANG] = self.lang
        return out


def lang_of_locale(locale: str) -> str | None:
    """``pl_PL`` -> "pl", ``en_US`` / ``en_GB`` -> "en"; None for every other language."""
    lang = locale.split("_", 1)[0].lower()
    return lang if lang in ("pl", "en") else None


def _name_part(data: dict[str, Any], key: str) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise ProfileError(f"{key} is not a string")
    value = " ".join(value.split())
    if len(value) > MAX_NAME_CHARS:
        raise ProfileError(f"{key} longer than {MAX_NAME_CHARS} characters")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Co", "Cs") for c in value):
        raise ProfileError(f"{key} has control characters")
    return value


def parse_profile(status: int, body: bytes) -> Profile:
    """The profile in a Graph API answer; ProfileError when it is an error or not a profile."""
    if status != 200:
        raise ProfileError(f"HTTP {status}")
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ProfileError("not JSON") from None
    if not isinstance(data, dict):
        raise ProfileError("not a JSON object")
    name = " ".join(filter(None, (_name_part(data, "first_name"), _name_part(data, "last_name"))))
    if len(name) > MAX_NAME_CHARS:
        raise ProfileError(f"name longer than {MAX_NAME_CHARS} characters")
    locale = data.get("locale")
    if locale is not None and (not isinstance(locale, str) or len(locale) > MAX_LOCALE_CHARS):
        raise ProfileError("locale is not a short string")
    return Profile(name, lang_of_locale(locale) if locale else None)


class Profiles:
    def __init__(self, client: Any, fetch: Fetch, ttl_seconds: int, wait_ms: int,
                 keys: MessengerKeys | None = None, failure_ttl_seconds: int = FAILURE_TTL_SECONDS) -> None:
        self._redis = client
        self._fetch = fetch
        self._keys = keys or MessengerKeys()
        self._ttl, self._failure_ttl = ttl_seconds, failure_ttl_seconds
        self._wait = wait_ms / 1000
        self._slots = asyncio.Semaphore(MAX_CONCURRENT_FETCHES)
        self._running: dict[str, asyncio.Task[Profile | None]] = {}

    def prefetch(self, psid: str) -> None:
        """Start loading the customer's profile in the background unless it is loading already."""
        if psid in self._running or len(self._running) >= MAX_PENDING_FETCHES:
            return
        task = asyncio.ensure_future(self._load(psid))
        self._running[psid] = task
        task.add_done_callback(lambda _: self._running.pop(psid, None))

    async def get(self, psid: str) -> Profile | None:
        """The profile if known now or within the wait; None when unknown or it failed."""
        task = self._running.get(psid)
        if task is None:
            try:
                found, profile = await self._cached(psid)
            except Exception as e:  # Redis away: the answer must not wait for a name
                logger.warning("Messenger profile cache unavailable for %s: %r", psid, e)
                return None
            if found:
                return profile
            self.prefetch(psid)
            task = self._running.get(psid)
            if task is None:
                return None
        try:
            return await asyncio.wait_for(asyncio.shield(task), self._wait)
        except asyncio.TimeoutError:
            logger.info("Messenger profile of %s not there within %d ms; answering without it", psid,
                        round(self._wait * 1000))
            return None

    async def _cached(self, psid: str) -> tuple[bool, Profile | None]:
        raw = await self._redis.get(self._keys.profile(psid))
        if raw is None:
            return False, None
        data = json.loads(as_str(raw))
        if "failed" in data:
            return True, None
        lang = data.get("lang")
        return True, Profile(str(data.get("name", "")), lang if lang in ("pl", "en") else None)

    async def _load(self, psid: str) -> Profile | None:
        try:
            found, profile = await self._cached(psid)
            if found:
                return profile
            async with self._slots:
                profile, stored = await self._ask(psid)
            ttl = self._ttl if profile is not None else self._failure_ttl
            await self._redis.set(self._keys.profile(psid), json.dumps(stored, ensure_ascii=False), ex=ttl)
            return profile
        except Exception:
            logger.exception("Messenger profile of %s not loaded", psid)
            return None

    async def _ask(self, psid: str) -> tuple[Profile | None, dict[str, Any]]:
        """The profile (None if it failed) and what to keep of it."""
        try:
            status, body = await self._fetch(psid)
        except Exception as e:  # network error, timeout: kept as a failure like any other
            logger.warning("Messenger profile of %s not fetched: %r", psid, e)
            return None, {"failed": type(e).__name__}
        try:
            profile = parse_profile(status, body)
        except ProfileError as e:
            logger.warning("Messenger profile of %s unusable (%s); the customer stays unnamed", psid, e)
            return None, {"failed": str(e)}
        return profile, {"name": profile.name, "lang": profile.lang}
