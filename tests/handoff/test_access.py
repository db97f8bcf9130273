"""Access: every console and API route refuses without a valid session; moderators stay out
of admin routes; the service token is the only key to /internal; defaults listen on loopback."""

import re

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from actions.settings import ActionSettings
from handoff.settings import Settings
from ops.launch import stack_env
from ops.processes import REPO
from tests.handoff.conftest import Factory, sign_in

PUBLIC = {"/health", "/ready", "/login", "/demo", "/widget/widget.js", "/widget/widget.css",
          "/widget/vendor/socket.io.min.js", "/console/{name}"}


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "T000001", path)


def routes(app: web.Application) -> list[tuple[str, str]]:
    out = []
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter")
        if path and route.method != "HEAD":
            out.append((route.method, path))
    return sorted(set(out))


async def test_every_private_route_refuses_without_a_session(app_client: TestClient) -> None:
    checked = 0
    for method, path in routes(app_client.server.app):
        if path in PUBLIC or (method == "POST" and path == "/login"):
            continue
        response = await app_client.request(method, concrete(path), allow_redirects=False)
        assert response.status in (401, 302), f"{method} {path} answered {response.status} without a session"
        if response.status == 302:
            assert response.headers["Location"] == "/login"
        checked += 1
    assert checked >= 25  # the API, the pages, /internal and /metrics


async def test_moderators_cannot_reach_admin_routes(aiohttp_client: Factory, app_client: TestClient) -> None:
    anna = await sign_in(aiohttp_client, app_client, "anna")
    admin_routes = [(m, p) for m, p in routes(app_client.server.app) if "admin" in p]
    assert len(admin_routes) >= 5
    for method, path in admin_routes:
        status, _ = await anna.call(method, concrete(path)) if path.startswith("/api/") else (
            (await anna.client.request(method, concrete(path))).status, None)
        assert status == 403, f"a moderator got {status} from {method} {path}"


async def test_a_session_token_is_not_a_service_token(aiohttp_client: Factory, app_client: TestClient) -> None:
    anna = await sign_in(aiohttp_client, app_client, "anna")
    status, _ = await anna.call("POST", "/internal/tickets", {"conversation_id": "web:1"})
    assert status == 401


def test_defaults_listen_on_loopback_only() -> None:
    env, _ = stack_env({})
    assert env["RASA_HOST"] == "127.0.0.1" and env["REDIS_URL"].startswith("redis://127.0.0.1:")
    assert Settings.from_env({"RASA_TOKEN": "r" * 20, "HANDOFF_SERVICE_TOKEN": "s" * 20}).host == "127.0.0.1"
    procfile = (REPO / "Procfile").read_text()
    assert "--bind 127.0.0.1" in procfile and "--protected-mode yes" in procfile
    assert ActionSettings.from_env({"HANDOFF_SERVICE_TOKEN": "s" * 20}).host == "127.0.0.1"


@pytest.mark.parametrize("cookie", ["", "x" * 200, "forged-session-token"])
async def test_forged_or_oversized_cookies_are_refused(app_client: TestClient, cookie: str) -> None:
    response = await app_client.get("/api/queue", headers={"Cookie": f"ho_session={cookie}"})
    assert response.status == 401

