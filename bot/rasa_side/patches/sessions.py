"""Rasa opens a new HTTP session, and so a new TCP connection, for every call to the action
server (``EndpointConfig.request``): connection set-up was 7% of the Rasa server's samples
(py-spy, one customer at a time). Calls now share one keep-alive session per endpoint
settings and event loop."""

from __future__ import annotations

from typing import Any


class _Borrowed:
    """``async with`` on a shared session, which leaves it open for the next request."""

    def __init__(self, session: Any) -> None:
        self._session = session

    async def __aenter__(self) -> Any:
        return self._session

    async def __aexit__(self, *exc: object) -> None:
        return None


_sessions: dict[tuple[Any, ...], Any] = {}


def _shared_session(self: Any) -> Any:
    """Rasa's ``EndpointConfig.session`` (same headers, auth and timeout), kept open and reused."""
    import asyncio

    import aiohttp
    from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT

    loop = asyncio.get_running_loop()
    auth = self.basic_auth or {}
    key = (id(loop), tuple(sorted((self.headers or {}).items())), auth.get("username"), auth.get("password"))
    session = _sessions.get(key)
    if session is None or session.closed or session.loop is not loop:
        session = aiohttp.ClientSession(
            headers=self.headers,
            auth=aiohttp.BasicAuth(auth["username"], auth["password"]) if auth else None,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        )
        _sessions[key] = session
    return _Borrowed(session)


def install() -> None:
    from rasa.utils.endpoints import EndpointConfig

    EndpointConfig.session = _shared_session  # type: ignore[method-assign]
