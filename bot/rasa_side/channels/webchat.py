"""The web widget's socket.io channel: Rasa's ``socketio`` channel, made safe to expose.

Differences from ``rasa.core.channels.socketio.SocketIOInput`` (Rasa 3.6.21):

- a conversation id must be ``web:`` + a random UUID (the widget makes one and keeps it);
  anything else is refused, so a browser cannot write into a Messenger conversation or
  guess a short id;
- a socket speaks only for the conversation it asked for with ``session_request``; the
  ``session_id`` inside each message is not trusted;
- ``enter_room`` is awaited when it is a coroutine (python-socketio 5.10+, RasaHQ/rasa#13027);
- custom payloads reach the widget as ``bot_uttered {"custom": {...}}`` (Rasa's output
  passes them to ``emit`` as keyword arguments, which loses them);
- a message longer than ``MAX_MESSAGE_CHARS`` is refused with an ``error`` event;
- with a Redis configured (``redis_host`` in ``credentials.yml``) every emit goes through
  Redis pub/sub (python-socketio's Redis manager, with JSON instead of pickle), so a push
  that reaches one Rasa server (a moderator's reply through ``tracker/events``) is emitted by
  the server that holds the customer's socket. Without one, emits stay in this process;
- the engine.io handshake sets a cookie with the session id (``SESSION_COOKIE``) from which a
  load balancer learns which server a polling client belongs to.
"""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from redis.exceptions import RedisError
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncRedisManager, AsyncServer

from bot.core.conversation_ids import valid_web_id
from bot.core.keys import TRACKER_PREFIX, TrackerKeys
from bot.rasa_side.channels.commands import customer_text

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 5000
SESSION_COOKIE = "io"  # engine.io's name; HAProxy's stick table reads it (ops/haproxy.py)


class JsonRedisManager(AsyncRedisManager):  # type: ignore[misc]
    """python-socketio's Redis manager speaking JSON: its own pickles would let anyone who
    can publish to Redis run code in Rasa. A failed publish raises instead of being dropped."""

    async def _publish(self, data: Any) -> Any:
        payload = json.dumps(data)
        try:
            return await self.redis.publish(self.channel, payload)
        except RedisError:
            logger.warning("socket.io publish failed; reconnecting to Redis once")
            self._redis_connect()
            return await self.redis.publish(self.channel, payload)

    async def _listen(self) -> AsyncIterator[Any]:
        async for raw in super()._listen():
            try:
                yield json.loads(raw)
            except ValueError:
                logger.warning("a message on %s is not JSON; ignored", self.channel)


def redis_manager(credentials: dict[str, Any]) -> JsonRedisManager | None:
    """The cross-server manager for ``redis_host`` etc. in credentials.yml; None without a host."""
    host = str(credentials.get("redis_host") or "")
    if not host:
        return None
    port, db = str(credentials.get("redis_port") or "6379"), str(credentials.get("redis_db") or "0")
    prefix = str(credentials.get("tracker_key_prefix") or TRACKER_PREFIX)
    if not port.isdigit() or not db.isdigit():
        raise ValueError(f"webchat channel: redis_port and redis_db must be numbers, got {port!r} and {db!r}")
    options = {"password": str(credentials.get("redis_password") or "") or None, "socket_connect_timeout": 5}
    channel = TrackerKeys(prefix).widget_pushes
    return JsonRedisManager(f"redis://{host}:{port}/{db}", channel=channel, redis_options=options)


class WebChatOutput(SocketIOOutput):
    @classmethod
    def name(cls) -> str:
        return "webchat"

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"custom": json_message})


class WebChatInput(SocketIOInput):
    @classmethod
    def name(cls) -> str:
        return "webchat"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        c = credentials or {}
        return cls(socketio_path=c.get("socketio_path", "/socket.io"), manager=redis_manager(c))

    def __init__(self, socketio_path: str = "/socket.io", manager: JsonRedisManager | None = None) -> None:
        super().__init__("user_uttered", "bot_uttered", None, True, socketio_path)
        self._sessions: dict[str, str] = {}
        self._manager = manager

    def get_output_channel(self) -> WebChatOutput | None:  # type: ignore[override]
        if self.sio is None:
            return None
        return WebChatOutput(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        cookie = {"name": SESSION_COOKIE, "path": self.socketio_path, "SameSite": "Lax", "HttpOnly": True}
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=[], client_manager=self._manager, cookie=cookie)
        bp = SocketBlueprint(sio, self.socketio_path, "webchat_webhook", __name__)
        self.sio = sio
        sessions = self._sessions

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("disconnect")
        async def disconnect(sid: str) -> None:
            sessions.pop(sid, None)

        @sio.on("session_request")
        async def session_request(sid: str, data: Any = None) -> None:
            session_id = data.get("session_id") if isinstance(data, dict) else None
            if not valid_web_id(session_id):
                await sio.emit("error", {"error": "session_id must be 'web:' followed by a random UUID"}, room=sid)
                return
            entered = sio.enter_room(sid, session_id)
            if inspect.isawaitable(entered):
                await entered
            sessions[sid] = session_id
            await sio.emit("session_confirm", session_id, room=sid)

        @sio.on("user_uttered")
        async def handle_message(sid: str, data: Any = None) -> None:
            session_id = sessions.get(sid)
            if session_id is None:
                await sio.emit("error", {"error": "send session_request first"}, room=sid)
                return
            text = data.get("message") if isinstance(data, dict) else None
            if not isinstance(text, str) or not text.strip():
                await sio.emit("error", {"error": "message must be a non-empty string"}, room=sid)
                return
            if len(text) > MAX_MESSAGE_CHARS:
                await sio.emit("error", {"error": f"message longer than {MAX_MESSAGE_CHARS} characters"}, room=sid)
                return
            metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
            await on_new_message(UserMessage(customer_text(text), WebChatOutput(sio, self.bot_message_evt), session_id,
                                             input_channel=self.name(), metadata=metadata))

        return bp
