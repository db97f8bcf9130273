"""Sending to comment conversations (``comment:<top-level comment id>``) through the Graph API.

The policy is ``bot.rasa_side.channels.comment_replies``; this class does the I/O. Public replies
go under the top-level comment (``POST /{comment-id}/comments``: Facebook shows them in its
thread). Private replies go to the customer's own comment (``POST /me/messages`` with
``recipient: {"comment_id"}``); Meta allows one per comment, so each is claimed in Redis
(``MessengerKeys.private_reply``, SET NX) before it is sent and given back if the Graph API
refused it. A moderator's private reply when that one is used is refused and recorded in the
failed-sends stream with the reason (the console greys the choice out before that).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from bot.core.comments import COMMENT_KEY, latest_comment
from bot.core.conversation_ids import COMMENT_PREFIX
from bot.core.keys import MessengerKeys, TrackerKeys
from bot.core.language import detect_lang
from bot.rasa_side.channels.comment_replies import line, plan_pushed, plan_turn
from bot.rasa_side.channels.graph import FailureHook, GraphClient
from bot.rasa_side.channels.messenger_protocol import Inbound

logger = logging.getLogger(__name__)

PRIVATE_REPLY_SECONDS = 8 * 24 * 3600  # Meta's 7 days for a private reply, and a day of margin
TOLD_SECONDS = 30 * 24 * 3600  # "a person will answer" is said once in this long
LOOKBACK_EVENTS = 200  # how far back a conversation is read for its latest customer comment


def comment_metadata(event: Inbound) -> dict[str, Any]:
    """The user message's metadata for a comment: ``customer_name`` from the webhook (K1), where
    the comment sits, and ``messenger.mid`` so the inbox knows the message is stored."""
    metadata: dict[str, Any] = {
        "messenger": {"mid": event.event_id, "kind": event.kind, "title": event.title},
        COMMENT_KEY: {"comment_id": event.event_id, "post_id": event.post_id, "parent_id": event.parent_id},
    }
    if event.name:
        metadata["customer_name"] = event.name
    return metadata


class CommentReplies:
    def __init__(self, graph: GraphClient, client: Any, keys: MessengerKeys | None = None,
                 tracker: TrackerKeys | None = None, on_refused: FailureHook | None = None) -> None:
        self._graph = graph
        self._redis = client
        self._keys = keys or MessengerKeys()
        self._tracker = tracker or TrackerKeys()
        self._on_refused = on_refused

    async def answer_turn(self, event: Inbound, messages: list[dict[str, Any]]) -> None:
        """A bot turn's messages for the comment ``event``: the answer privately, a line publicly."""
        plan, lang = plan_turn(messages), detect_lang(event.text)  # the brain's own language detection
        if plan.tell_handoff and await self._redis.set(self._keys.comment_told(event.sender_id), "1", nx=True,
                                                       ex=TOLD_SECONDS):
            await self._graph.reply_publicly(event.thread_id, line("person", lang))
        if plan.private is None:
            return
        refused = await self._private(event.event_id, plan.private)
        if refused is None:
            await self._graph.reply_publicly(event.thread_id, line("moved", lang))
        else:  # the answer is no secret: better public than lost
            logger.warning("comment %s: %s; the answer goes publicly", event.event_id, refused)
            await self._graph.reply_publicly(event.thread_id, plan.text)

    async def send_pushed(self, conversation_id: str, message: dict[str, Any]) -> None:
        """A message from the handoff service: a moderator's public or private reply (K3)."""
        pushed = plan_pushed(message)
        if pushed is None:
            logger.debug("message without a place in a comment thread skipped for %s", conversation_id)
            return
        if not pushed.private:
            await self._graph.reply_publicly(conversation_id[len(COMMENT_PREFIX):], pushed.text)
            return
        comment = await self.latest_comment(conversation_id)
        body = {"text": pushed.text}
        refused = (await self._private(comment["comment_id"], body) if comment
                   else f"no customer comment found in {conversation_id}")
        if refused is not None:
            logger.warning("private reply in %s refused: %s", conversation_id, refused)
            if self._on_refused is not None:
                await self._on_refused(conversation_id, {"message": body}, refused)

    async def latest_comment(self, conversation_id: str) -> dict[str, Any] | None:
        raw = await self._redis.lrange(self._tracker.events(conversation_id), -LOOKBACK_EVENTS, -1)
        return latest_comment([json.loads(item) for item in raw])

    async def _private(self, comment_id: str, message: dict[str, Any]) -> str | None:
        """Send the comment's one private reply; None when sent, else why not."""
        key = self._keys.private_reply(comment_id)
        if not await self._redis.set(key, "1", nx=True, ex=PRIVATE_REPLY_SECONDS):
            return f"the private reply to comment {comment_id} is used already (Meta allows one per comment)"
        if await self._graph.reply_privately(comment_id, message):
            return None
        await self._redis.delete(key)  # not sent: it is still there to use
        return f"the Graph API did not take the private reply to comment {comment_id}"
