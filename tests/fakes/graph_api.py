"""A fake Graph API on loopback that records what the Send API receives.

``python -m tests.fakes.graph_api --port N``. Besides ``POST /<version>/me/messages`` it
has test verbs: ``GET /_received`` (every recorded request), ``DELETE /_received``, and
``POST /_fail {"count": n, "status": 500}`` (the next n sends fail with that status).
"""

from __future__ import annotations

import argparse
import itertools
from typing import Any

from aiohttp import web

RECEIVED = web.AppKey("received", list)
FAILURES = web.AppKey("failures", dict)
_ids = itertools.count(1)


async def send(request: web.Request) -> web.Response:
    body: Any = await request.json()
    record = {"path": request.path, "query": dict(request.query), "body": body}
    failures = request.app[FAILURES]
    if failures["count"] > 0:
        failures["count"] -= 1
        request.app[RECEIVED].append({**record, "failed": failures["status"]})
        return web.json_response({"error": {"message": "fake failure"}}, status=failures["status"])
    request.app[RECEIVED].append(record)
    return web.json_response({"recipient_id": body.get("recipient", {}).get("id"), "message_id": f"m_{next(_ids)}"})


async def received(request: web.Request) -> web.Response:
    return web.json_response(request.app[RECEIVED])


async def clear(request: web.Request) -> web.Response:
    request.app[RECEIVED].clear()
    return web.json_response({"cleared": True})


async def fail(request: web.Request) -> web.Response:
    data = await request.json()
    request.app[FAILURES].update(count=int(data["count"]), status=int(data.get("status", 500)))
    return web.json_response(request.app[FAILURES])


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def create_app() -> web.Application:
    app = web.Application()
    app[RECEIVED] = []
    app[FAILURES] = {"count": 0, "status": 500}
    app.router.add_post("/{version}/me/messages", send)
    app.router.add_get("/_received", received)
    app.router.add_delete("/_received", clear)
    app.router.add_post("/_fail", fail)
    app.router.add_get("/health", health)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    web.run_app(create_app(), host="127.0.0.1", port=parser.parse_args().port, print=None)


if __name__ == "__main__":
    main()
