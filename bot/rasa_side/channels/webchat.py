"""The web widget's socket.io channel: Rasa's ``socketio`` channel, made safe to expose.

Differences from ``rasa.core.channels.socketio.SocketIOInput`` (Rasa 3.6.21):

- a conversation id must be ``web:`` + a random UUID (the widget makes one and keeps it); for a
  ``session_request`` without one (rasa-webchat's first) the server makes one and confirms it;
  another channel's id is refused, so a browser cannot write into a Messenger conversation or
  guess a short id (``channels/rasa_protocol.py``, with rasa-webchat's ``customData``);
- a socket speaks only for the conversation it asked for with ``session_request``; the
  ``session_id`` inside each message is not trusted, and a second ``session_request`` for
  another conversation on the same socket is refused (one socket, one conversation);
- only pages of ``WIDGET_ALLOWED_ORIGINS`` may open a socket (python-socketio's
  ``cors_allowed_origins``; an empty list would turn its Origin check off);
- the client's IP goes into each message's metadata as ``client_ip`` and the rest of the
  client's metadata is reduced to small known fields (``channels/clients.py``);
- per-client rate limits (``bot.rasa_side.limits``): messages per conversation and per IP,
  new conversations per IP; over one, an ``error`` event with a ``code`` and ``retry_after``,
  and the message is not passed to Rasa;
- ``enter_room`` is awaited when it is a coroutine (python-socketio 5.10+, RasaHQ/rasa#13027);
- custom payloads reach the widget as ``bot_uttered {"custom": {...}}`` (Rasa's output
  passes them to ``emit`` as keyword arguments, which loses them);
- a message longer than ``CHANNEL_MAX_MESSAGE_CHARS`` is refused with an ``error`` event;
- a socket that connects with ``auth {"message_ids": true}`` (the product's widget) gets every
  bot message also whole with its ``id`` (the event's timestamp), and may ask for what it missed
  while away with ``catch_up {"last_id"}`` (``channels/catch_up.py``, ``catch_up_reader.py``), and
  rate an FAQ answer with ``rate_answer {"id", "helpful"}`` (``channels/answer_ratings.py``);
- with a Redis configured (``redis_host`` in ``credentials.yml``) every emit goes through
  Redis pub/sub (python-socketio's Redis manager, with JSON instead of pickle), so a push
  that reaches one Rasa server (a moderator's reply through ``tracker/events``) is emitted by
  the server that holds the customer's socket. Without one, emits stay in this process;
- the engine.io handshake sets a cookie with the session id (``SESSION_COOKIE``) from which a
  load balancer learns which server a polling client belongs to.
"""

from __future__ import annotations

import asyncio
import copy
import inspect
import json
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from redis.exceptions import RedisError
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncRedisManager, AsyncServer

from bot.core.keys import TRACKER_PREFIX, TrackerKeys
from bot.core.redis_clients import async_client
from bot.core.redis_config import RedisConfig
from bot.rasa_side.channels.agent_typing import HUB, widget_typing
from bot.rasa_side.channels.answer_ratings import AnswerRatings
from bot.rasa_side.channels.catch_up import ids_room, wants_ids, widget_payload
from bot.rasa_side.channels.catch_up_reader import CatchUpReader
from bot.rasa_side.channels.clients import client_ip
from bot.rasa_side.channels.commands import customer_text
from bot.rasa_side.channels.rasa_protocol import (
    MAX_CUSTOM_DATA_BYTES,
    custom_data_too_large,
    message_metadata,
    session_to_open,
)
from bot.rasa_side.limits import LazyRateLimits, Refusal, channel_limits
from bot.rasa_side.settings import ChannelSettings

logger = logging.getLogger(__name__)

SESSION_COOKIE = "io"  # engine.io's name; HAProxy's stick table reads it (ops/haproxy.py)


class JsonRedisManager(AsyncRedisManager):  # type: ignore[misc]
    """python-socketio's Redis manager speaking JSON: its own pickles would let anyone who
    can publish to Redis run code in Rasa. A failed publish raises instead of being dropped.
    Its connections are ours (``bot.core.redis_clients``): python-socketio 5.9 knows no Sentinels."""

    def __init__(self, connection: RedisConfig, channel: str) -> None:
        self._connection = connection
        super().__init__(connection.url(), channel=channel)

    def _redis_connect(self) -> None:
        self.redis = async_client(self._connection, socket_connect_timeout=5)
        self.pubsub = self.redis.pubsub(ignore_subscribe_messages=True)

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
    prefix = str(credentials.get("tracker_key_prefix") or TRACKER_PREFIX)
    connection = RedisConfig.from_options(credentials, prefix="redis_", where="webchat channel")
    return JsonRedisManager(connection, channel=TrackerKeys(prefix).widget_pushes)


class WebChatOutput(SocketIOOutput):
    @classmethod
    def name(cls) -> str:
        return "webchat"

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"custom": json_message})

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """A bot message whole, with its id, to the sockets that asked for ids (first: the widget then
        knows to skip the copy without one), and in Rasa's shapes to the conversation's room."""
        payload = widget_payload(message)  # ``timestamp``: the BotUttered event's, as stored (K4)
        if payload is not None:
            await self.sio.emit(self.bot_message_evt, payload, room=ids_room(recipient_id))
        await super().send_response(recipient_id, copy.deepcopy(message))


class WebChatInput(SocketIOInput):
    @classmethod
    def name(cls) -> str:
        return "webchat"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        c = credentials or {}
        settings = ChannelSettings.from_env(os.environ)
        limits = channel_limits(c, settings.limits, "webchat channel (credentials.yml)")
        catch_up = CatchUpReader(RedisConfig.from_options(c, prefix="redis_", where="webchat channel"),
                                 str(c.get("tracker_key_prefix") or TRACKER_PREFIX))
        ratings = AnswerRatings(RedisConfig.from_options(c, prefix="redis_", where="webchat channel"),
                                str(c.get("tracker_key_prefix") or TRACKER_PREFIX))
        return cls(settings, limits, socketio_path=c.get("socketio_path", "/socket.io"), manager=redis_manager(c),
                   catch_up=catch_up, ratings=ratings)

    def __init__(self, settings: ChannelSettings, limits: LazyRateLimits, socketio_path: str = "/socket.io",
                 manager: JsonRedisManager | None = None, catch_up: CatchUpReader | None = None,
                 ratings: AnswerRatings | None = None) -> None:
        super().__init__("user_uttered", "bot_uttered", None, True, socketio_path)
        self.settings = settings
        self._limits = limits
        self._sessions: dict[str, str] = {}
        self._ips: dict[str, str] = {}
        # Handlers run as concurrent tasks: a socket's session_request and messages take its lock
        # first thing, so they are handled one at a time in arrival order.
        self._session_locks: dict[str, asyncio.Lock] = {}
        self._manager = manager
        self._catch_up = catch_up or CatchUpReader(RedisConfig(), TRACKER_PREFIX)
        self._id_sockets: set[str] = set()  # sockets that asked for message ids (channels/catch_up.py)
        self._ratings = ratings or AnswerRatings(RedisConfig(), TRACKER_PREFIX)

    def get_output_channel(self) -> WebChatOutput | None:  # type: ignore[override]
        if self.sio is None:
            return None
        return WebChatOutput(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        cookie = {"name": SESSION_COOKIE, "path": self.socketio_path, "SameSite": "Lax", "HttpOnly": True}
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=list(self.settings.widget_allowed_origins),
                          client_manager=self._manager, cookie=cookie)
        bp = SocketBlueprint(sio, self.socketio_path, "webchat_webhook", __name__)
        self.sio = sio
        HUB.register(lambda conversation_id: widget_typing(sio, conversation_id))  # a moderator types (K5)
        sessions, ips, max_chars = self._sessions, self._ips, self.settings.max_message_chars
        locks = self._session_locks

        async def error(sid: str, code: str, text: str, **extra: Any) -> None:
            await sio.emit("error", {"code": code, "error": text, **extra}, room=sid)

        async def refused(sid: str, check: Awaitable[Refusal | None]) -> bool:
            """Whether the rate limits refuse it (the client is told), or cannot be asked."""
            try:
                refusal = await check
            except Exception as e:
                logger.error("widget rate limits unavailable: %r", e)
                await error(sid, "unavailable", "the message was not handled; send it again")
                return True
            if refusal is not None:
                await error(sid, refusal.code, "too many messages; try again later", retry_after=refusal.retry_after)
            return refusal is not None

        @sio.on("connect")
        async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
            request = environ.get("sanic.request")
            forwarded = [environ["HTTP_X_FORWARDED_FOR"]] if "HTTP_X_FORWARDED_FOR" in environ else []
            ips[sid] = client_ip(getattr(request, "ip", None), forwarded, self.settings.trusted_proxies)
            if wants_ids(auth):
                self._id_sockets.add(sid)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("disconnect")
        async def disconnect(sid: str) -> None:
            if sid in locks:
                async with locks[sid]:  # what the socket sent before it went is handled first
                    pass
            sessions.pop(sid, None)
            ips.pop(sid, None)
            locks.pop(sid, None)
            self._id_sockets.discard(sid)
            self._catch_up.forget(sid)
            self._ratings.forget(sid)

        @sio.on("session_request")
        async def session_request(sid: str, data: Any = None) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            async with locks.setdefault(sid, asyncio.Lock()):
                session_id = session_to_open(requested, sessions.get(sid))  # null: a server-made id
                if session_id is None:
                    await error(sid, "bad_session_id", "session_id of another channel: send null or 'web:' "
                                "followed by a random UUID")
                    return
                if sessions.get(sid, session_id) != session_id:
                    await error(sid, "one_conversation", "this connection already speaks for another conversation")
                    return
                if await refused(sid, self._limits.get().opening(ips.get(sid, ""), session_id)):
                    return
                for room in (session_id, ids_room(session_id)) if sid in self._id_sockets else (session_id,):
                    entered = sio.enter_room(sid, room)
                    if inspect.isawaitable(entered):
                        await entered
                sessions[sid] = session_id
            await sio.emit("session_confirm", session_id, room=sid)

        @sio.on("catch_up")
        async def catch_up(sid: str, data: Any = None) -> None:
            async with locks.setdefault(sid, asyncio.Lock()):  # after its session_request, before later messages
                await self._catch_up.answer(sio, sid, sessions.get(sid), data)

        @sio.on("rate_answer")
        async def rate_answer(sid: str, data: Any = None) -> None:
            async with locks.setdefault(sid, asyncio.Lock()):  # after its session_request
                await self._ratings.answer(sio, sid, sessions.get(sid), data)

        @sio.on("user_uttered")
        async def handle_message(sid: str, data: Any = None) -> None:
            # One message of a socket at a time, in arrival order (the lock is FIFO and taken first
            # thing): handlers run as concurrent tasks, and the rate check's Redis round trip
            # could otherwise let a later message reach Rasa's conversation lock first.
            async with locks.setdefault(sid, asyncio.Lock()):
                await handle_in_order(sid, data)

        async def handle_in_order(sid: str, data: Any) -> None:
            session_id = sessions.get(sid)
            if session_id is None:
                await error(sid, "no_session", "send session_request first")
                return
            text = data.get("message") if isinstance(data, dict) else None
            if not isinstance(text, str) or not text.strip():
                await error(sid, "bad_message", "message must be a non-empty string")
                return
            if len(text) > max_chars:
                await error(sid, "too_long", f"message longer than {max_chars} characters")
                return
            if custom_data_too_large(data):  # refused whole: never stored, nor counted by the rate limits
                await error(sid, "too_large", f"customData over {MAX_CUSTOM_DATA_BYTES} bytes")
                return
            ip = ips.get(sid, "")
            if await refused(sid, self._limits.get().message(ip, session_id)):
                return
            metadata = message_metadata(data, ip, self.settings.max_page_chars)
            await on_new_message(UserMessage(customer_text(text), WebChatOutput(sio, self.bot_message_evt), session_id,
                                             input_channel=self.name(), metadata=metadata))

        return bp
