"""Who may call what: the session cookie, CSRF, roles and the service token.

- Console pages and ``/api`` need a signed-in session (cookie ``ho_session``: HttpOnly,
  SameSite=Strict, Secure when ``HANDOFF_COOKIE_SECURE=true``). Without one, ``/api``
  answers 401 and pages redirect to ``/login``.
- Every state-changing request of a session carries ``X-CSRF-Token`` (or a ``csrf`` form
  field) equal to the session's token, which the console reads from ``/api/me``.
- ``/internal`` (the action server) and ``/metrics`` (Prometheus) take
  ``Authorization: Bearer <HANDOFF_SERVICE_TOKEN>`` instead.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from handoff.appkeys import ACCOUNTS, SESSION, SETTINGS, session_of
from handoff.errors import Forbidden, HandoffError

logger = logging.getLogger(__name__)

COOKIE = "ho_session"
# /inbound/ checks its own bearer token (HANDOFF_INBOUND_EMAIL_TOKEN, handoff.consult_api)
PUBLIC_PREFIXES = ("/health", "/ready", "/widget/", "/demo", "/login", "/console/login", "/inbound/")
SERVICE_PREFIXES = ("/internal/", "/metrics")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def service_token_ok(request: web.Request) -> bool:
    header = request.headers.get("Authorization", "")
    expected = request.app[SETTINGS].service_token
    return bool(expected) and hmac.compare_digest(header.encode(), f"Bearer {expected}".encode())


@web.middleware
async def errors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Domain errors become one JSON shape: ``{"error": message}`` with their status; Redis away
    (restarting, or failing over to a replica) is 503: the caller may send the request again."""
    try:
        return await handler(request)
    except HandoffError as e:
        return _error(e.status, str(e))
    except (RedisConnectionError, RedisTimeoutError) as e:
        logger.warning("%s %s: Redis unavailable (%s)", request.method, request.path, e.__class__.__name__)
        return _error(503, "storage briefly unavailable; try again in a few seconds")


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    path = request.path
    if path == "/" or not path.startswith(PUBLIC_PREFIXES):
        if path.startswith(SERVICE_PREFIXES):
            if path.startswith("/metrics") and await _attach_session(request):
                return await handler(request)
            if not service_token_ok(request):
                return _error(401, "missing or wrong service token (Authorization: Bearer ...)")
            return await handler(request)
        if not await _attach_session(request):
            if path.startswith("/api/"):
                return _error(401, "sign in first")
            raise web.HTTPFound("/login")
        if request.method not in SAFE_METHODS and not await _csrf_ok(request):
            return _error(403, "missing or wrong CSRF token (X-CSRF-Token)")
    return await handler(request)


async def _attach_session(request: web.Request) -> bool:
    session = await request.app[ACCOUNTS].session(request.cookies.get(COOKIE, ""))
    if session is None:
        return False
    request[SESSION] = session
    return True


async def _csrf_ok(request: web.Request) -> bool:
    given = request.headers.get("X-CSRF-Token", "")
    if not given and request.content_type == "application/x-www-form-urlencoded":
        given = str((await request.post()).get("csrf", ""))
    return bool(given) and hmac.compare_digest(given.encode(), session_of(request).csrf.encode())


def require_admin(request: web.Request) -> None:
    if not session_of(request).account.is_admin:
        raise Forbidden("this needs the admin role")


def set_session_cookie(request: web.Request, response: web.StreamResponse, token: str) -> None:
    response.set_cookie(COOKIE, token, httponly=True, samesite="Strict", path="/",
                        secure=request.app[SETTINGS].cookie_secure)
