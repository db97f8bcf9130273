"""The customer web chat widget and a demo shop page that embeds it.

GET /widget/widget.js                  the widget (plain JS, no build step)
GET /widget/widget.css                 its styles (loaded into the widget's shadow root)
GET /widget/vendor/socket.io.min.js    socket.io-client from node_modules/ (``make setup`` installs it)
GET /demo                              a demo shop page with the embed snippet, pointing at PUBLIC_RASA_URL
"""

from __future__ import annotations

import hashlib
import html
import logging
from pathlib import Path

from aiohttp import web

from handoff.appkeys import SETTINGS
from handoff.contract import Auth, contract

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
WIDGET_DIR = STATIC / "widget"
DEMO_PAGE = STATIC / "demo" / "index.html"
REPO = Path(__file__).resolve().parent.parent
SOCKET_IO_CLIENT = REPO / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"

JS = "text/javascript"
RASA_URL_PLACEHOLDER = "{{PUBLIC_RASA_URL}}"


def _respond(request: web.Request, body: bytes, content_type: str) -> web.Response:
    """200 with the body, or 304 when the browser's copy is current; browsers revalidate every time."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"Cache-Control": "no-cache", "ETag": etag, "X-Content-Type-Options": "nosniff"}
    if etag in request.headers.get("If-None-Match", ""):
        return web.Response(status=304, headers=headers)
    return web.Response(body=body, content_type=content_type, charset="utf-8", headers=headers)


async def widget_js(request: web.Request) -> web.Response:
    return _respond(request, (WIDGET_DIR / "widget.js").read_bytes(), JS)


async def widget_css(request: web.Request) -> web.Response:
    return _respond(request, (WIDGET_DIR / "widget.css").read_bytes(), "text/css")


async def socket_io_client(request: web.Request) -> web.Response:
    try:
        body = SOCKET_IO_CLIENT.read_bytes()
    except FileNotFoundError:
        logger.error("widget: %s is missing: run `make setup` (npm ci)", SOCKET_IO_CLIENT)
        return web.Response(
            status=503,
            text=f"socket.io-client is not installed ({SOCKET_IO_CLIENT} is missing): run `make setup`\n",
            headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
        )
    return _respond(request, body, JS)


@contract("A demo shop page with the widget, pointing at PUBLIC_RASA_URL", auth=Auth.PUBLIC, media="text/html",
          errors=())
async def demo(request: web.Request) -> web.Response:
    page = DEMO_PAGE.read_text("utf-8")
    rasa_url = html.escape(request.app[SETTINGS].public_rasa_url, quote=True)
    return _respond(request, page.replace(RASA_URL_PLACEHOLDER, rasa_url).encode("utf-8"), "text/html")


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/widget/widget.js", widget_js)
    app.router.add_get("/widget/widget.css", widget_css)
    app.router.add_get("/widget/vendor/socket.io.min.js", socket_io_client)
    app.router.add_get("/demo", demo)
