"""A fake Graph API on loopback that checks what Meta checks and records what it got.

``python -m tests.fakes.graph_api --port N``. It serves ``POST /<version>/me/messages`` (messages
and sender actions), ``GET /<version>/<psid>?fields=...`` (user profiles) and
``POST /<version>/<comment_id>/comments`` (comment replies); a request Meta would refuse gets
Meta's error shape with HTTP 400 (``tests/fakes/graph_checks.py``), a second private reply to a
comment included. Test verbs:

- ``GET /_received``: the recorded Send API messages (``?all=1``: every request, each with its
  ``kind``: message, sender_action, profile, comment_reply); ``DELETE /_received`` forgets them;
- ``POST /_fail {"count": n, "status": 500, "path"?: "/v21.0/me/messages", "kind"?: "message"}``:
  the next n calls (only those under ``path`` / of ``kind`` when given) fail with that status;
- ``POST /_profiles {"psid", "body"? | "status"? | "garbage"?, "delay_ms"?}``: what a profile GET
  of that PSID returns (default: ``DEFAULT_PROFILE``).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
from typing import Any

from aiohttp import web

from tests.fakes.graph_checks import (
    GraphError,
    check_comment_reply,
    check_profile,
    check_send,
    check_token,
    error_body,
)

RECEIVED = web.AppKey("received", list)
FAILURES = web.AppKey("failures", dict)
PROFILES = web.AppKey("profiles", dict)
PRIVATELY_REPLIED = web.AppKey("privately_replied", set)  # comments that had their one private reply
ALREADY_REPLIED = 10900  # Meta's code for a second private reply to a comment ("Activity already replied to")
DEFAULT_PROFILE = {"first_name": "Jan", "last_name": "Testowy", "locale": "pl_PL"}
_ids = itertools.count(1)


async def _body(request: web.Request) -> Any:
    try:
        return await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise GraphError("the request body must be JSON") from None


def _injected_failure(request: web.Request, kind: str) -> int | None:
    """The status of an injected failure for this call, if one is due."""
    failures = request.app[FAILURES]
    if failures["count"] <= 0 or not request.path.startswith(failures.get("path") or "/"):
        return None
    if failures.get("kind") and failures["kind"] != kind:
        return None
    failures["count"] -= 1
    return int(failures["status"])


async def _answer(request: web.Request, kind: str, body: Any, check: Any) -> web.Response | None:
    """Record the call; an injected failure or a refused request as Meta would answer it."""
    record = {"path": request.path, "method": request.method, "query": dict(request.query), "body": body,
              "kind": kind}
    status = _injected_failure(request, kind)
    if status is not None:
        request.app[RECEIVED].append({**record, "failed": status})
        return web.json_response(error_body("fake failure", code=2, kind="OAuthException"), status=status)
    try:
        check_token(request.query)
        check()
    except GraphError as e:
        request.app[RECEIVED].append({**record, "failed": e.status, "error": str(e)})
        return web.json_response(error_body(str(e), e.code), status=e.status)
    request.app[RECEIVED].append(record)
    return None


async def send(request: web.Request) -> web.Response:
    try:
        body = await _body(request)
    except GraphError as e:
        return web.json_response(error_body(str(e), e.code), status=e.status)
    kind = "sender_action" if isinstance(body, dict) and "sender_action" in body else "message"
    replied = request.app[PRIVATELY_REPLIED]

    def check() -> None:
        check_send(body)
        comment_id = body["recipient"].get("comment_id")
        if comment_id in replied:  # Meta allows one private reply per comment
            raise GraphError("Activity already replied to", ALREADY_REPLIED)

    refused = await _answer(request, kind, body, check)
    if refused is not None:
        return refused
    if body["recipient"].get("comment_id"):
        replied.add(body["recipient"]["comment_id"])
    recipient = body["recipient"].get("id") or body["recipient"].get("comment_id")
    if kind == "sender_action":
        return web.json_response({"recipient_id": recipient})
    return web.json_response({"recipient_id": recipient, "message_id": f"m_{next(_ids)}"})


async def profile(request: web.Request) -> web.Response:
    psid = request.match_info["psid"]
    refused = await _answer(request, "profile", None, lambda: check_profile(request.query))
    if refused is not None:
        return refused
    setup = request.app[PROFILES].get(psid, {})
    if setup.get("delay_ms"):
        await asyncio.sleep(setup["delay_ms"] / 1000)
    if "garbage" in setup:
        return web.Response(text=str(setup["garbage"]), status=200, content_type="text/html")
    if setup.get("status"):
        return web.json_response(error_body("fake profile error", code=2), status=int(setup["status"]))
    fields = check_profile(request.query)
    data = setup.get("body", DEFAULT_PROFILE)
    return web.json_response({**{k: v for k, v in data.items() if k in fields}, "id": psid})


async def comment_reply(request: web.Request) -> web.Response:
    try:
        body = await _body(request)
    except GraphError as e:
        return web.json_response(error_body(str(e), e.code), status=e.status)
    refused = await _answer(request, "comment_reply", body, lambda: check_comment_reply(body))
    if refused is not None:
        return refused
    return web.json_response({"id": f"{request.match_info['comment_id']}_{next(_ids)}"})


async def received(request: web.Request) -> web.Response:
    records = request.app[RECEIVED]
    if request.query.get("all") != "1":  # the Send API's messages, as before sender actions and profiles
        records = [r for r in records if r.get("kind", "message") == "message"]
    return web.json_response(records)


async def clear(request: web.Request) -> web.Response:
    request.app[RECEIVED].clear()
    return web.json_response({"cleared": True})


async def fail(request: web.Request) -> web.Response:
    data = await request.json()
    request.app[FAILURES].update(count=int(data["count"]), status=int(data.get("status", 500)),
                                 path=data.get("path"), kind=data.get("kind"))
    return web.json_response(request.app[FAILURES])


async def set_profile(request: web.Request) -> web.Response:
    data = await request.json()
    request.app[PROFILES][str(data["psid"])] = {k: v for k, v in data.items() if k != "psid"}
    return web.json_response({"psid": data["psid"]})


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def create_app() -> web.Application:
    app = web.Application()
    app[RECEIVED] = []
    app[FAILURES] = {"count": 0, "status": 500, "path": None, "kind": None}
    app[PROFILES] = {}
    app[PRIVATELY_REPLIED] = set()
    app.router.add_post("/{version}/me/messages", send)
    app.router.add_post("/{version}/{comment_id:[0-9_]+}/comments", comment_reply)
    app.router.add_get("/{version}/{psid:[0-9]+}", profile)
    app.router.add_get("/_received", received)
    app.router.add_delete("/_received", clear)
    app.router.add_post("/_fail", fail)
    app.router.add_post("/_profiles", set_profile)
    app.router.add_get("/health", health)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    web.run_app(create_app(), host="127.0.0.1", port=parser.parse_args().port, print=None)


if __name__ == "__main__":
    main()
