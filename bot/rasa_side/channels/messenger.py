"""Facebook Messenger as a Rasa input channel, stricter than Rasa's built-in ``facebook``.

``credentials.yml``::

    bot.rasa_side.channels.messenger.MessengerInput:
      verify_token: ${MESSENGER_VERIFY_TOKEN}
      app_secret: ${MESSENGER_APP_SECRET}
      page_access_token: ${MESSENGER_PAGE_ACCESS_TOKEN}
      graph_url: ${MESSENGER_GRAPH_URL}        # empty: https://graph.facebook.com/v21.0
      redis_host: ${REDIS_HOST}                # the inbox lives beside the tracker store
      ...
      consumer: ${MESSENGER_CONSUMER}          # empty: the host name; one name per Rasa server

Webhook: ``GET|POST /webhooks/messenger/webhook``. A POST is checked (size, read in chunks
and refused with 413 past ``MESSENGER_MAX_BODY_BYTES`` before anything is hashed, then
``X-Hub-Signature-256`` in constant time, then the whole payload) before anything is
stored. Each customer (PSID) may send ``LIMIT_PSID_PER_MINUTE`` messages a minute
(``bot.rasa_side.limits``); past that the events are not stored and the customer gets one
polite message per window (``TOO_FAST``), so a flood does not make us flood the Send API.
Accepted events go to the durable inbox (``bot.rasa_side.channels.inbox``) and the webhook
answers 200 at once. A background worker feeds the inbox to Rasa, one event at a time in
arrival order. Every Rasa server runs one, all in one consumer group, and a customer's
message waits until the previous one is done wherever it is handled, so a conversation's
messages keep their order. With the three secrets empty the channel stays off and its
webhook answers 503.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from collections.abc import Awaitable, Callable
from typing import Any

import redis.exceptions as redis_errors
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.core.conversation_ids import valid_comment_id, valid_messenger_id
from bot.core.keys import TRACKER_PREFIX, TrackerKeys
from bot.core.redis_clients import async_client, replicated_write
from bot.core.redis_config import RedisConfig
from bot.rasa_side import loops
from bot.rasa_side.channels.agent_typing import HUB
from bot.rasa_side.channels.comment_output import CommentReplies, comment_metadata
from bot.rasa_side.channels.graph import DEFAULT_GRAPH_URL, GraphClient
from bot.rasa_side.channels.inbox import MessengerInbox
from bot.rasa_side.channels.messenger_protocol import (
    Inbound,
    OutsideWindow,
    PayloadError,
    messaging_fields,
    parse_webhook,
    psid_of,
    rasa_text,
    send_api_messages,
    sender_actions_allowed,
    signature_valid,
    subscription_challenge,
)
from bot.rasa_side.channels.messenger_settings import MessengerSettings
from bot.rasa_side.channels.profiles import PROFILE_FIELDS, Profiles
from bot.rasa_side.channels.sender_actions import SenderActions
from bot.rasa_side.limits import LazyRateLimits
from bot.rasa_side.settings import ChannelSettings

logger = logging.getLogger(__name__)

IDLE_RETRY_SECONDS = 1.0
BLOCK_MS = 1000  # how long the worker waits for new events
TURN_RETRY_MS = 100  # how soon an event waiting for its conversation's earlier one is looked at again
# Sent at most once a minute to a customer whose messages are refused by the rate limit.
TOO_FAST = ("Otrzymujemy od Ciebie bardzo dużo wiadomości naraz, więc ostatnich nie przeczytaliśmy. "
            "Napisz je proszę ponownie za minutę.")


def transient(error: Exception) -> bool:
    """Errors that pass when Redis is back (the message is kept and handled again)."""
    from rasa.core.lock_store import LockError

    return isinstance(error, (redis_errors.RedisError, OSError, asyncio.TimeoutError, LockError))


class MessengerOutput(OutputChannel):
    @classmethod
    def name(cls) -> str:
        return "messenger"

    def __init__(self, graph: GraphClient, inbox: MessengerInbox, actions: SenderActions | None = None,
                 comments: CommentReplies | None = None, turn: list[dict[str, Any]] | None = None) -> None:
        self._graph = graph
        self._inbox = inbox
        self._actions = actions
        self._comments = comments
        self.turn = turn  # a comment's bot turn: its messages are collected, then sent together

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Comment conversations (``comment:...``) are answered as comments (K2,
        ``bot.rasa_side.channels.comment_output``); the rest as Messenger messages."""
        if not valid_comment_id(recipient_id):
            await super().send_response(recipient_id, message)
        elif self.turn is not None:
            self.turn.append(dict(message))
        elif self._comments is not None:
            await self._comments.send_pushed(recipient_id, message)
        else:
            logger.warning("no comment output for %s; message not sent", recipient_id)

    async def _send(self, recipient_id: str, messages: list[dict[str, Any]], kwargs: dict[str, Any]) -> None:
        """Send within Meta's windows: a moderator's reply (the bot event's metadata has
        ``moderator``) may go out tagged HUMAN_AGENT up to 7 days after the customer's last
        message; the bot's own messages only within 24 hours. What may not be sent is logged,
        and a person's reply is recorded in the failed-sends stream with the reason."""
        psid = psid_of(recipient_id)
        by_person = bool(kwargs.get("moderator"))
        try:
            fields = messaging_fields(await self._inbox.last_customer_message(psid), time.time(), by_person)
        except OutsideWindow as e:
            logger.warning("Messenger message to %s not sent (%s): %s", psid,
                           "a person's reply" if by_person else "automated", e)
            if by_person:
                for message in messages:
                    await self._inbox.record_failed_send(psid, {"recipient": {"id": psid}, "message": message},
                                                         str(e))
            return
        if self._actions is not None:
            await self._actions.settled(psid)  # "seen" and the typing indicator go first
        for message in messages:
            await self._graph.send(psid, message, fields)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send(recipient_id, send_api_messages(text), kwargs)

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: list[dict[str, Any]],
                                     **kwargs: Any) -> None:
        await self._send(recipient_id, send_api_messages(text, buttons), kwargs)

    async def send_quick_replies(self, recipient_id: str, text: str, quick_replies: list[dict[str, Any]],
                                 **kwargs: Any) -> None:
        await self._send(recipient_id, send_api_messages(text, quick_replies), kwargs)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._send(recipient_id, [{"attachment": {"type": "image", "payload": {"url": image}}}], kwargs)

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        """``{"messenger": <Send API message>}`` is sent as it is (a queue update's text); other
        custom data (the web widget's status messages) has no Messenger form and is skipped."""
        if isinstance(json_message.get("messenger"), dict):
            await self._send(recipient_id, [json_message["messenger"]], kwargs)
        else:
            logger.debug("custom message without a Messenger form skipped for %s", recipient_id)


class MessengerInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "messenger"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        c = credentials or {}
        secrets = {k: str(c.get(k) or "") for k in ("verify_token", "app_secret", "page_access_token")}
        given = [k for k, v in secrets.items() if v]
        if given and len(given) < len(secrets):
            missing = sorted(set(secrets) - set(given))
            raise ValueError(f"Messenger channel: {', '.join(missing)} missing in credentials.yml "
                             "(MESSENGER_VERIFY_TOKEN, MESSENGER_APP_SECRET, MESSENGER_PAGE_ACCESS_TOKEN: all or none)")
        return cls(
            **secrets,
            graph_url=str(c.get("graph_url") or DEFAULT_GRAPH_URL),
            redis=RedisConfig.from_options(c, prefix="redis_", where="Messenger channel"),
            consumer=str(c.get("consumer") or socket.gethostname()),
            tracker_prefix=str(c.get("tracker_key_prefix") or TRACKER_PREFIX),
            settings=ChannelSettings.from_env(os.environ),
            messenger=MessengerSettings.from_env(os.environ),
        )

    def __init__(self, verify_token: str, app_secret: str, page_access_token: str, graph_url: str,
                 redis: RedisConfig, consumer: str, tracker_prefix: str = TRACKER_PREFIX,
                 settings: ChannelSettings | None = None, messenger: MessengerSettings | None = None) -> None:
        self.verify_token = verify_token
        self.app_secret = app_secret
        self.page_access_token = page_access_token
        self.graph_url = graph_url
        self._redis_config = redis  # address or Sentinels, ACL user, password, TLS
        self.consumer = consumer
        self.tracker_prefix = tracker_prefix  # the tracker store's key_prefix (endpoints.yml)
        self._inbox: MessengerInbox | None = None
        self._graph: GraphClient | None = None
        self._worker: asyncio.Task[None] | None = None
        self.settings = settings or ChannelSettings()
        self._limits = LazyRateLimits(redis, self.settings.limits, tracker_prefix)
        self._notices: set[asyncio.Task[bool]] = set()  # polite refusals being sent
        self.messenger = messenger or MessengerSettings()
        self._redis: Any = None
        self._profiles: Profiles | None = None
        self._actions: SenderActions | None = None
        self._comments: CommentReplies | None = None

    @property
    def enabled(self) -> bool:
        return bool(self.app_secret)

    def _client(self) -> Any:
        if self._redis is None:
            self._redis = async_client(self._redis_config, socket_timeout=10)
        return self._redis

    def inbox(self) -> MessengerInbox:
        if self._inbox is None:
            self._inbox = MessengerInbox(self._client(), tracker_prefix=self.tracker_prefix)
        return self._inbox

    def profiles(self) -> Profiles:
        if self._profiles is None:
            graph = self.graph()
            self._profiles = Profiles(self._client(), lambda psid: graph.profile(psid, PROFILE_FIELDS),
                                      self.messenger.profile_ttl_seconds, self.messenger.profile_wait_ms)
        return self._profiles

    def sender_actions(self) -> SenderActions:
        if self._actions is None:
            self._actions = SenderActions(self.graph())
        return self._actions

    def graph(self) -> GraphClient:
        if self._graph is None:
            self._graph = GraphClient(self.graph_url, self.page_access_token,
                                      on_failure=self.inbox().record_failed_send)
        return self._graph

    def get_output_channel(self) -> OutputChannel | None:
        if not self.enabled:
            return None
        return MessengerOutput(self.graph(), self.inbox(), self.sender_actions(), self.comments())

    def comments(self) -> CommentReplies:
        if self._comments is None:
            self._comments = CommentReplies(self.graph(), self._client(), tracker=TrackerKeys(self.tracker_prefix),
                                            on_refused=self.inbox().record_failed_send)
        return self._comments

    async def _handle_comment(self, on_new_message: Callable[[UserMessage], Awaitable[Any]], event: Inbound) -> None:
        """A comment reaches Rasa like a Messenger message (``input_channel`` "messenger"); its
        turn's messages are sent once the turn is over, as ``comment_replies`` decides."""
        output = MessengerOutput(self.graph(), self.inbox(), comments=self.comments(), turn=[])
        await on_new_message(UserMessage(rasa_text(event), output, event.sender_id, input_channel=self.name(),
                                         metadata=comment_metadata(event)))
        await self.comments().answer_turn(event, output.turn or [])

    async def _handle(self, on_new_message: Callable[[UserMessage], Awaitable[Any]], event: Inbound) -> None:
        if event.kind == "comment":
            await self._handle_comment(on_new_message, event)
            return
        inbox, sent_at = self.inbox(), (event.timestamp_ms / 1000) or time.time()
        await inbox.note_customer_message(event.psid, sent_at)
        if sender_actions_allowed(sent_at, time.time()):  # the customer sees it was read and an answer coming
            self.sender_actions().fire(event.psid, ("mark_seen", "typing_on"))
        metadata: dict[str, Any] = {"messenger": {"mid": event.event_id, "kind": event.kind, "title": event.title}}
        metadata.update(await self._who(event.psid))
        text = rasa_text(event, self.messenger.get_started_payload)
        output = MessengerOutput(self.graph(), inbox, self.sender_actions())
        await on_new_message(UserMessage(text, output, event.sender_id, input_channel=self.name(), metadata=metadata))

    async def _who(self, psid: str) -> dict[str, str]:
        """``customer_name`` and ``lang`` from the Graph API profile (K1); ``lang`` falls back to
        the page's language, the greeting's language when the profile has no locale."""
        profile = await self.profiles().get(psid)
        found = profile.metadata() if profile is not None else {}
        return {"lang": self.messenger.page_lang, **found}

    async def _agent_typing(self, conversation_id: str) -> None:
        """A moderator types in a Messenger conversation: ``typing_on`` within the 24-hour window."""
        if not valid_messenger_id(conversation_id):
            return
        psid = psid_of(conversation_id)
        if sender_actions_allowed(await self.inbox().last_customer_message(psid), time.time()):
            self.sender_actions().fire(psid, ("typing_on",))

    async def _work(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        """Feed the inbox to Rasa until cancelled. This consumer's unfinished entries are read
        again first (after a restart, and while some wait for an earlier message of their
        conversation that another Rasa server is handling), then new or abandoned ones."""
        inbox, retry_own = self.inbox(), True
        while True:
            try:
                entries = await inbox.take(self.consumer, own_pending=True) if retry_own else []
                entries += await inbox.take(self.consumer, block_ms=TURN_RETRY_MS if entries else BLOCK_MS)
                retry_own = False
                for entry_id, event in entries:
                    if not await inbox.turn(entry_id, event):
                        retry_own = True  # stays pending; its conversation's earlier message goes first
                        continue
                    await self._handle_entry(on_new_message, inbox, entry_id, event)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("Messenger inbox unavailable; retrying")
                inbox.forget_group()  # Redis may have restarted empty: make the group again
                retry_own = True  # what was taken and not finished comes first
                await asyncio.sleep(IDLE_RETRY_SECONDS)

    async def _handle_entry(self, on_new_message: Callable[[UserMessage], Awaitable[Any]], inbox: MessengerInbox,
                            entry_id: str, event: Inbound) -> None:
        try:
            if await inbox.stored(event):  # handled by a server that died before marking it done
                logger.info("Messenger event %s is already in its conversation; not handled twice", entry_id)
            else:
                await self._handle(on_new_message, event)
        except Exception as e:
            if transient(e):  # Redis or the lock store away: keep it pending, try again
                raise
            logger.exception("Messenger event %s failed; moved to the dead-letter stream", entry_id)
            await inbox.dead(entry_id, event, repr(e))  # a broken message must not stop the inbox
            return
        await inbox.done(entry_id, event)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("messenger_webhook", __name__)

        @bp.listener("after_server_start")
        async def start_worker(app: Any, loop: Any) -> None:
            # moderators' typing, for every channel (the widget's too), Messenger on or off
            HUB.start(lambda: async_client(self._redis_config, socket_connect_timeout=5))
            if self.enabled and self._worker is None:
                HUB.register(self._agent_typing)
                self._worker = asyncio.ensure_future(self._work(on_new_message))
                loops.track("messenger inbox", self._worker)  # /ready says when it has stopped
                logger.info("Messenger channel on: inbox worker %s started", self.consumer)
            elif not self.enabled:
                logger.info("Messenger channel off: set MESSENGER_APP_SECRET, MESSENGER_VERIFY_TOKEN "
                            "and MESSENGER_PAGE_ACCESS_TOKEN to turn it on")

        @bp.listener("before_server_stop")
        async def stop_worker(app: Any, loop: Any) -> None:
            if self._worker is not None:
                self._worker.cancel()
            await HUB.stop()
            if self._actions is not None:
                await self._actions.close()
            if self._graph is not None:
                await self._graph.close()

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.enabled else "off"})

        @bp.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            params = {k: request.args.get(k, "") for k in ("hub.mode", "hub.verify_token", "hub.challenge")}
            challenge = subscription_challenge(params, self.verify_token)
            if challenge is None:
                return response.text("verify token mismatch", status=403)
            return response.text(challenge)

        @bp.route("/webhook", methods=["POST"], stream=True)
        async def webhook(request: Request) -> HTTPResponse:
            if not self.enabled:
                return response.json({"error": "Messenger channel is not configured"}, status=503)
            body = await self._read_body(request)
            if body is None:
                return response.json({"error": f"body larger than {self.settings.max_body_bytes} bytes"}, status=413)
            if not signature_valid(self.app_secret, body, request.headers.get("x-hub-signature-256")):
                logger.warning("Messenger webhook with a missing or wrong X-Hub-Signature-256 refused")
                return response.json({"error": "missing or invalid X-Hub-Signature-256"}, status=403)
            try:
                events = parse_webhook(body)
            except PayloadError as e:
                return response.json({"error": str(e)}, status=e.status)
            try:
                events = await self._within_limits(events)
                new = await self.inbox().accept(events)
                # acknowledged to Meta only once a replica holds them (a failover: 503, Meta redelivers)
                await replicated_write(self._client(), self._redis_config.replicas_to_wait)
                # usually cached by the time the worker needs it (commenters have no Messenger profile)
                for psid in {e.psid for e in events if e.kind != "comment"}:
                    self.profiles().prefetch(psid)
            except Exception:
                logger.exception("Messenger inbox unavailable; Messenger will retry the delivery")
                return response.json({"error": "inbox unavailable, retry later"}, status=503)
            return response.json({"status": "EVENT_RECEIVED", "events": len(events), "new": new})

        return bp

    async def _read_body(self, request: Request) -> bytes | None:
        """The body, read in chunks; None as soon as it is longer than the cap (declared or not)."""
        cap = self.settings.max_body_bytes
        declared = request.headers.get("content-length", "0")
        if declared.isdigit() and int(declared) > cap:
            return None
        body, stream = bytearray(), request.stream  # a streaming route: Sanic has read nothing yet
        async for chunk in stream:  # type: ignore[union-attr]
            body += chunk
            if len(body) > cap:
                return None
        return bytes(body)

    async def _within_limits(self, events: list[Inbound]) -> list[Inbound]:
        """The events whose customer is within the rate limit; the others are told once a window."""
        limits, kept = self._limits.get(), []
        for event in events:
            refusal = await limits.psid_message(event.psid)
            if refusal is None:
                kept.append(event)
                continue
            logger.info("Messenger customer %s over the rate limit (%s): event %s not stored",
                        event.psid, refusal.code, event.event_id)
            if event.kind != "comment" and await limits.first_refusal(refusal, event.psid):  # no Messenger for them
                task = asyncio.ensure_future(self.graph().send(event.psid, {"text": TOO_FAST},
                                                               {"messaging_type": "RESPONSE"}))
                self._notices.add(task)
                task.add_done_callback(self._notices.discard)
        return kept
