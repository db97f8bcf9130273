"""A moderator typing a reply, shown to the customer on their channel (K5).

The handoff service publishes ``{"conversation_id": ...}`` on ``bot.core.keys.TYPING`` while a
moderator types (at most once every few seconds per ticket). Every Rasa server subscribes
once (``HUB``, started by the Messenger channel after the server starts) and hands the
conversation id to the handlers the channels registered: Messenger sends ``typing_on``, the
widget channel emits ``typing {"by": "agent"}`` to the conversation's sockets on this server.
When Redis goes away the subscription is made again.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.core.conversation_ids import valid_conversation_id, valid_web_id
from bot.core.keys import TYPING
from bot.core.text import as_str

logger = logging.getLogger(__name__)

RECONNECT_SECONDS = 1.0
POLL_SECONDS = 1.0  # how long one read waits for a message (stopping is checked in between)
MAX_MESSAGE_BYTES = 1024  # {"conversation_id": ...} is far smaller

Handler = Callable[[str], Awaitable[None]]


def conversation_of(raw: Any) -> str | None:
    """The conversation id in a typing message; None (logged) for anything else."""
    try:
        text = as_str(raw)
        data = json.loads(text) if len(text) <= MAX_MESSAGE_BYTES else None
    except (UnicodeDecodeError, ValueError):
        data = None
    conversation_id = data.get("conversation_id") if isinstance(data, dict) else None
    if not valid_conversation_id(conversation_id):
        logger.warning("a message on %s is not {\"conversation_id\": <id>}; ignored", TYPING)
        return None
    return conversation_id


class TypingHub:
    def __init__(self, channel: str = TYPING) -> None:
        self.channel = channel
        self._handlers: list[Handler] = []
        self._task: asyncio.Task[None] | None = None

    def register(self, handler: Handler) -> None:
        self._handlers.append(handler)

    def start(self, connect: Callable[[], Any]) -> None:
        """Subscribe (once per process) with clients made by ``connect``."""
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(self._follow(connect))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def dispatch(self, conversation_id: str) -> None:
        for handler in list(self._handlers):
            try:
                await handler(conversation_id)
            except Exception:
                logger.exception("typing indicator for %s failed", conversation_id)

    async def _follow(self, connect: Callable[[], Any]) -> None:
        while True:
            client = connect()
            try:
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                await pubsub.subscribe(self.channel)
                while True:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=POLL_SECONDS)
                    conversation_id = conversation_of(message["data"]) if message else None
                    if conversation_id is not None:
                        await self.dispatch(conversation_id)
            except asyncio.CancelledError:
                raise
            except Exception as e:
                logger.warning("typing subscription to %s lost (%r); subscribing again", self.channel, e)
                await asyncio.sleep(RECONNECT_SECONDS)
            finally:
                await _close(client)


async def _close(client: Any) -> None:
    try:
        close = getattr(client, "aclose", None) or client.close
        await close()
    except Exception:  # closing a client whose server is gone
        logger.debug("closing the typing subscription's client failed", exc_info=True)


async def widget_typing(sio: Any, conversation_id: str) -> None:
    """The widget channel's handler: ``typing {"by": "agent"}`` to the conversation's sockets on
    this server (``ignore_queue``: every server got the message, each tells its own sockets)."""
    if valid_web_id(conversation_id):
        await sio.emit("typing", {"by": "agent"}, room=conversation_id, ignore_queue=True)


HUB = TypingHub()  # one per Rasa process: the channels register, the Messenger channel starts it
