"""``/api/admin``: reviewing mined proposals, publishing, and conversations the archiver set aside,
for the admin role only."""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.core.faq import load_faq
from bot.learning import review
from handoff.answer_ratings import AnswerRatings
from handoff.api import _body
from handoff.appkeys import ARCHIVE_FAILURES, JOBS, REDIS, SETTINGS, session_of
from handoff.errors import BadRequest, NotFound
from handoff.web_auth import require_admin


async def proposals(request: web.Request) -> web.Response:
    require_admin(request)
    data = await asyncio.to_thread(review.load, request.app[SETTINGS].admin_paths.proposals)
    return web.json_response({"proposals": data, "jobs": await request.app[JOBS].status()})


async def approve(request: web.Request) -> web.Response:
    require_admin(request)
    paths, body = request.app[SETTINGS].admin_paths, await _body(request)
    answer, faq_id = body.get("answer"), body.get("faq_id")
    if answer is not None and not isinstance(answer, str):
        raise BadRequest("answer must be text")
    if faq_id is not None and not isinstance(faq_id, str):
        raise BadRequest("faq_id must be a topic id")
    topics = {e.id for e in await asyncio.to_thread(load_faq, paths.faq)}
    try:
        proposal = await asyncio.to_thread(
            review.approve, paths.proposals, request.match_info["proposal_id"], session_of(request).account.login,
            paths.archives, paths.approved / "approved.jsonl", answer, faq_id or None, topics)
    except review.UnknownProposal as e:
        raise NotFound(str(e)) from None
    except review.ReviewError as e:
        raise BadRequest(str(e)) from None
    return web.json_response(proposal)


async def reject(request: web.Request) -> web.Response:
    require_admin(request)
    try:
        proposal = await asyncio.to_thread(review.reject, request.app[SETTINGS].admin_paths.proposals,
                                           request.match_info["proposal_id"], session_of(request).account.login)
    except review.UnknownProposal as e:
        raise NotFound(str(e)) from None
    except review.ReviewError as e:
        raise BadRequest(str(e)) from None
    return web.json_response(proposal)


async def run_job(request: web.Request) -> web.Response:
    require_admin(request)
    kind = request.match_info["kind"]
    login = session_of(request).account.login
    if kind == "mine":
        args = ["mine"]
    elif kind == "publish":
        body = await _body(request) if request.can_read_body else {}
        args = ["publish", "--by", login, "--quiet"] + (["--force"] if body.get("force") is True else [])
    else:
        raise NotFound(f"no job {kind}")
    return web.json_response(await request.app[JOBS].start(kind, args), status=202)


async def jobs(request: web.Request) -> web.Response:
    require_admin(request)
    return web.json_response(await request.app[JOBS].status())


async def archive_failed(request: web.Request) -> web.Response:
    require_admin(request)
    entries = await request.app[ARCHIVE_FAILURES].entries()
    return web.json_response({"conversations": [e.to_json() for e in entries]})


async def retry_archive(request: web.Request) -> web.Response:
    require_admin(request)
    conversation_id = request.match_info["conversation_id"]
    await request.app[ARCHIVE_FAILURES].retry(conversation_id)
    return web.json_response({"conversation_id": conversation_id}, status=202)


async def answer_ratings(request: web.Request) -> web.Response:
    """The FAQ answers customers found least helpful, with example questions (read-only)."""
    require_admin(request)
    ratings = AnswerRatings(request.app[REDIS], request.app[SETTINGS].tracker_keys)
    return web.json_response({"entries": await ratings.report()})


def setup_routes(app: web.Application) -> None:
    r = app.router
    r.add_get("/api/admin/proposals", proposals)
    r.add_post("/api/admin/proposals/{proposal_id}/approve", approve)
    r.add_post("/api/admin/proposals/{proposal_id}/reject", reject)
    r.add_post("/api/admin/jobs/{kind}", run_job)
    r.add_get("/api/admin/jobs", jobs)
    r.add_get("/api/admin/archive/failed", archive_failed)
    r.add_get("/api/admin/answer_ratings", answer_ratings)
    r.add_post("/api/admin/archive/failed/{conversation_id}/retry", retry_archive)

