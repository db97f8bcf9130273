"""``POST /api/admin/erasure``: erase one customer's conversation (admin role, CSRF as every change).

Body ``{"conversation_id": "..."}``; answers ``{"conversation_id", "erased": {place: count}}``. An
invalid id is a 400 naming the field; an unknown one erases nothing and answers zero counts.
"""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel
from redis.asyncio import Redis

from bot.core import keys
from handoff.appkeys import REDIS, SETTINGS, session_of
from handoff.contract import Body, body_of, contract
from handoff.erasure import Erasure
from handoff.errors import BadRequest
from handoff.settings import Settings
from handoff.web_auth import require_admin


class ErasureBody(Body):
    conversation_id: str  # checked by handoff.erasure (a 400 naming the field)


class ErasedOut(BaseModel):
    conversation_id: str
    erased: dict[str, int]  # what was removed, by place


def erasure_of(client: Redis, settings: Settings) -> Erasure:
    paths = settings.admin_paths
    return Erasure(client, settings.tracker_keys, keys.MessengerKeys(), settings.archive_dir, paths.approved,
                   paths.proposals)


@contract("Erase one customer's conversation everywhere: tracker, tickets, archive, proposals (admin)",
          body=ErasureBody, reply=ErasedOut)
async def erase(request: web.Request) -> web.Response:
    require_admin(request)
    conversation_id = (await body_of(request, ErasureBody)).conversation_id
    try:
        erased = await erasure_of(request.app[REDIS], request.app[SETTINGS]).erase(conversation_id)
    except ValueError as e:
        raise BadRequest(f"conversation_id: {e}") from None
    request.app.logger.info("%s erased a conversation", session_of(request).account.login)
    return web.json_response({"conversation_id": conversation_id, "erased": erased})


def setup_routes(app: web.Application) -> None:
    app.router.add_post("/api/admin/erasure", erase)
