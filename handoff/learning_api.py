"""``/api/admin``: reviewing mined proposals, publishing, and conversations the archiver set aside,
for the admin role only."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from aiohttp import web
from pydantic import BaseModel, Field

from bot.core.faq import load_faq
from bot.learning import review
from handoff.answer_ratings import AnswerRatings
from handoff.appkeys import ARCHIVE_FAILURES, JOBS, REDIS, SETTINGS, session_of
from handoff.archive_failures import MAX_ID_LENGTH, SetAside
from handoff.contract import Body, body_of, contract
from handoff.errors import BadRequest, NotFound
from handoff.web_auth import require_admin


class ApproveBody(Body):
    answer: str | None = Field(None, description="the answer as edited by the admin")
    faq_id: str | None = Field(None, description="an existing topic the questions belong to")


class PublishBody(Body):
    force: bool = False  # publish even if accuracy on the regression set drops (logged)


class JobOut(BaseModel):
    kind: Literal["mine", "publish"]
    state: Literal["running", "done", "failed"]
    exit_code: int | None
    started_at: float
    finished_at: float | None
    output: str


class ProposalsOut(BaseModel):
    proposals: list[dict[str, Any]]
    jobs: list[JobOut]


class FailedOut(BaseModel):
    conversations: list[SetAside]


class RetryOut(BaseModel):
    conversation_id: str


class AnswerRatingsOut(BaseModel):
    entries: list[dict[str, Any]]


@contract("Mined FAQ proposals and the jobs' states (admin)", reply=ProposalsOut)
async def proposals(request: web.Request) -> web.Response:
    require_admin(request)
    data = await asyncio.to_thread(review.load, request.app[SETTINGS].admin_paths.proposals)
    return web.json_response({"proposals": data, "jobs": await request.app[JOBS].status()})


@contract("Approve a proposal: its questions and answer join the index's sources at the next publish (admin)",
          body=ApproveBody, reply=dict[str, Any])
async def approve(request: web.Request) -> web.Response:
    require_admin(request)
    paths, body = request.app[SETTINGS].admin_paths, await body_of(request, ApproveBody)
    answer, faq_id = body.answer, body.faq_id
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


@contract("Reject a proposal (admin)", reply=dict[str, Any])
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


@contract("Start mining or publishing in the background (admin; 409 while one of the kind runs); publish takes "
          "an optional body", body=PublishBody, body_required=False, ok=202, reply=JobOut,
          path={"kind": Literal["mine", "publish"]})  # handoff.jobs.KINDS
async def run_job(request: web.Request) -> web.Response:
    require_admin(request)
    kind = request.match_info["kind"]
    login = session_of(request).account.login
    if kind == "mine":
        args = ["mine"]
    elif kind == "publish":
        force = (await body_of(request, PublishBody)).force if request.can_read_body else False
        args = ["publish", "--by", login, "--quiet"] + (["--force"] if force else [])
    else:
        raise NotFound(f"no job {kind}")
    return web.json_response(await request.app[JOBS].start(kind, args), status=202)


@contract("The last mining and publishing jobs: state, exit code, the output's tail (admin)", reply=list[JobOut])
async def jobs(request: web.Request) -> web.Response:
    require_admin(request)
    return web.json_response(await request.app[JOBS].status())


@contract("Conversations set aside after failing to archive, newest first (admin)", reply=FailedOut)
async def archive_failed(request: web.Request) -> web.Response:
    require_admin(request)
    entries = await request.app[ARCHIVE_FAILURES].entries()
    return web.json_response({"conversations": [e.to_json() for e in entries]})


@contract("Archive a set-aside conversation again on the archiver's next pass (admin)", ok=202, reply=RetryOut,
          path={"conversation_id": Annotated[str, Field(min_length=1, max_length=MAX_ID_LENGTH)]})
async def retry_archive(request: web.Request) -> web.Response:
    require_admin(request)
    conversation_id = request.match_info["conversation_id"]
    await request.app[ARCHIVE_FAILURES].retry(conversation_id)
    return web.json_response({"conversation_id": conversation_id}, status=202)


@contract("FAQ answers customers rated not helpful most, with example questions (admin)", reply=AnswerRatingsOut)
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

