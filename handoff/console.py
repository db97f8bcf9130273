"""The moderator console's pages and sign-in (the pages are static; data comes from /api)."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web

from handoff.appkeys import ACCOUNTS, SETTINGS, SIGN_IN, session_of
from handoff.models import TICKET_ID_PATTERN
from handoff.sign_in import Throttled, client_ip
from handoff.web_auth import COOKIE, set_session_cookie

logger = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static" / "console"
HEADERS = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
           "Referrer-Policy": "same-origin",
           "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
                                      "base-uri 'none'; frame-ancestors 'none'"}
MAX_FIELD_CHARS = 200


def _page(name: str) -> web.FileResponse:
    return web.FileResponse(STATIC / name, headers=HEADERS)


async def login_page(request: web.Request) -> web.StreamResponse:
    return _page("login.html")


async def queue_page(request: web.Request) -> web.StreamResponse:
    return _page("queue.html")


async def ticket_page(request: web.Request) -> web.StreamResponse:
    return _page("ticket.html")


async def handover_page(request: web.Request) -> web.StreamResponse:
    return _page("handover.html")


async def stats_page(request: web.Request) -> web.StreamResponse:
    return _page("stats.html")


async def admin_page(request: web.Request) -> web.StreamResponse:
    if not session_of(request).account.is_admin:
        raise web.HTTPForbidden(text="this page needs the admin role")
    return _page("admin.html")


def _same_origin(request: web.Request) -> bool:
    """Sign-in forms only from our own pages (login CSRF)."""
    origin = request.headers.get("Origin")
    return origin is None or urlsplit(origin).netloc == request.host


async def login(request: web.Request) -> web.StreamResponse:
    if not _same_origin(request):
        return web.json_response({"error": "sign-in from another site refused"}, status=403)
    form = await request.post()
    user, password = str(form.get("login", ""))[:MAX_FIELD_CHARS], str(form.get("password", ""))[:MAX_FIELD_CHARS]
    try:
        account = await request.app[SIGN_IN].attempt(user.strip().lower(), password,
                                                     client_ip(request, request.app[SETTINGS].sign_in.trusted_proxies))
    except Throttled as e:
        logger.info("sign-in for %r throttled for %s s", user[:40], e.retry_after)
        wait = {"Retry-After": str(e.retry_after)}
        if "text/html" in request.headers.get("Accept", ""):  # the sign-in form: its page says how long
            raise web.HTTPFound(f"/login?wait={e.retry_after}", headers=wait) from None
        return web.json_response({"error": str(e)}, status=e.status, headers=wait)
    if account is None:
        logger.info("failed sign-in for %r", user[:40])
        raise web.HTTPFound("/login?error=1")
    session = await request.app[ACCOUNTS].start_session(account)
    response = web.HTTPFound("/")
    set_session_cookie(request, response, session.token)
    logger.info("%s signed in", account.login)
    raise response


async def logout(request: web.Request) -> web.Response:
    await request.app[ACCOUNTS].end_session(session_of(request).token)
    response = web.json_response({"signed_out": True})
    response.del_cookie(COOKIE, path="/")
    return response


async def asset(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    path = (STATIC / name).resolve()
    if path.parent != STATIC.resolve() or not path.is_file() or path.suffix not in (".js", ".css", ".svg", ".png"):
        raise web.HTTPNotFound()
    return web.FileResponse(path, headers=HEADERS)


def setup_routes(app: web.Application) -> None:
    r = app.router
    r.add_get("/login", login_page)
    r.add_post("/login", login)
    r.add_post("/logout", logout)
    r.add_get("/", queue_page)
    r.add_get(f"/tickets/{{ticket_id:{TICKET_ID_PATTERN}}}", ticket_page)
    r.add_get("/stats", stats_page)
    r.add_get("/handover", handover_page)  # the shift handover (handoff.handover)
    r.add_get("/console/{name}", asset)
