"""The moderator console's pages and sign-in (the pages are static; data comes from /api)."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web
from pydantic import BaseModel, Field

from handoff.appkeys import ACCOUNTS, SETTINGS, SIGN_IN, session_of
from handoff.contract import Auth, contract, form_fields
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
PAGE = {"media": "text/html", "errors": ()}  # a page: without a session, a redirect to /login


class SignInForm(BaseModel):
    login: str = Field(max_length=MAX_FIELD_CHARS)
    password: str = Field(max_length=MAX_FIELD_CHARS)


class SignedOut(BaseModel):
    signed_out: bool


def _page(name: str) -> web.FileResponse:
    return web.FileResponse(STATIC / name, headers=HEADERS)


@contract("The sign-in page", auth=Auth.PUBLIC, **PAGE)
async def login_page(request: web.Request) -> web.StreamResponse:
    return _page("login.html")


@contract("The queue page", **PAGE)
async def queue_page(request: web.Request) -> web.StreamResponse:
    return _page("queue.html")


@contract("A ticket's page", **PAGE)
async def ticket_page(request: web.Request) -> web.StreamResponse:
    return _page("ticket.html")


@contract("The shift handover page", **PAGE)
async def handover_page(request: web.Request) -> web.StreamResponse:
    return _page("handover.html")


@contract("The stats page", **PAGE)
async def stats_page(request: web.Request) -> web.StreamResponse:
    return _page("stats.html")


@contract("The admin page (admin)", media="text/html", errors=(403,))
async def admin_page(request: web.Request) -> web.StreamResponse:
    if not session_of(request).account.is_admin:
        raise web.HTTPForbidden(text="this page needs the admin role")
    return _page("admin.html")


def _same_origin(request: web.Request) -> bool:
    """Sign-in forms only from our own pages (login CSRF)."""
    origin = request.headers.get("Origin")
    return origin is None or urlsplit(origin).netloc == request.host


@contract("Sign in with a form: a redirect to / with the session cookie, or back to /login; 403 from another "
          "site, 429 while throttled", auth=Auth.PUBLIC, body=SignInForm, form=True, ok=302, media="",
          errors=(400, 403, 429))
async def login(request: web.Request) -> web.StreamResponse:
    if not _same_origin(request):
        return web.json_response({"error": "sign-in from another site refused"}, status=403)
    form = await form_fields(request)
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


@contract("End the session", reply=SignedOut, errors=(401, 403))
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
