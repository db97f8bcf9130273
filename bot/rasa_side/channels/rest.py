"""Rasa's REST channel for tools and tests, honest about failures and held to the channel rules
(``credentials.yml``: ``bot.rasa_side.channels.rest.StrictRestInput``).

- Off unless ``REST_CHANNEL=on`` (``make run`` and the test stacks set it): production
  customers come through the widget or Messenger; when off every route answers 404.
- The sender is a REST conversation id (``bot.core.conversation_ids``: 1-64 of
  ``A-Z a-z 0-9 _ . -``), so a REST client can never write into a widget or Messenger
  conversation nor name a derived Redis key; anything else is a 400.
- A message longer than ``max_message_chars`` is a 413; the metadata is reduced to the
  widget's small fields plus the server-set ``client_ip`` (``channels/clients.py``).
- Per-client rate limits (``bot.rasa_side.limits``): over one, 429 with Retry-After, and the
  message is not passed to Rasa.
- Rasa 3.6's ``rest`` channel answers 200 even when handling the message failed (a lock or
  tracker store error, a timeout), so a caller cannot tell a stored message from a lost one.
  This one answers 503 with ``{"error": ...}`` then, and the caller knows to send it again.
- Typed "/commands" are text unless they are the product's own buttons (``commands.py``).
"""

from __future__ import annotations

import logging
import os
from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.core.conversation_ids import REST_ID_MAX_LENGTH, valid_rest_id
from bot.rasa_side.channels.clients import client_ip, customer_metadata
from bot.rasa_side.channels.commands import customer_text
from bot.rasa_side.limits import LazyRateLimits, channel_limits
from bot.rasa_side.settings import ChannelSettings

logger = logging.getLogger(__name__)

SENDER_RULE = (f"sender must be 1-{REST_ID_MAX_LENGTH} of A-Z a-z 0-9 _ . - "
               "(no channel prefix such as web: or messenger:)")


class StrictRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        settings = ChannelSettings.from_env(os.environ)
        return cls(settings, channel_limits(credentials or {}, settings.limits, "rest channel (credentials.yml)"))

    def __init__(self, settings: ChannelSettings, limits: LazyRateLimits) -> None:
        self.settings = settings
        self._limits = limits

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("strict_rest_webhook", __name__)
        off = {"error": "the REST channel is off (REST_CHANNEL=on turns it on)"}

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            if not self.settings.rest_channel:
                return response.json(off, status=404)
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.settings.rest_channel:
                return response.json(off, status=404)
            problem = self._problem(request)
            if problem is not None:
                return problem
            sender_id: str = request.json["sender"]
            ip = client_ip(request.ip, request.headers.getall("x-forwarded-for", []), self.settings.trusted_proxies)
            try:
                refusal = await self._limits.get().message(ip, sender_id, may_open=True)
            except Exception as e:
                logger.error("REST message of %s not checked against the rate limits: %r", sender_id, e)
                return response.json({"error": "the message was not handled; send it again"}, status=503)
            if refusal is not None:
                return response.json({"error": f"too many messages ({refusal.code}); try again later",
                                      "code": refusal.code, "retry_after": refusal.retry_after},
                                     status=429, headers={"Retry-After": str(refusal.retry_after)})
            collector = CollectingOutputChannel()
            metadata = customer_metadata(request.json.get("metadata"), ip, self.settings.max_page_chars)
            message = UserMessage(customer_text(request.json["message"]), collector, sender_id,
                                  input_channel=self.name(), metadata=metadata)
            try:
                await on_new_message(message)
            except (CancelledError, Exception) as e:
                logger.error("REST message of %s not handled: %r", sender_id, e)
                return response.json({"error": "the message was not handled; send it again"}, status=503)
            return response.json(collector.messages)

        return bp

    def _problem(self, request: Request) -> HTTPResponse | None:
        """The answer to a body that is not a REST message we take, else None."""
        body = request.json
        if not isinstance(body, dict) or not isinstance(body.get("message"), str):
            return response.json({"error": "body must be {\"sender\": ..., \"message\": \"text\"}"}, status=400)
        if not valid_rest_id(body.get("sender")):
            return response.json({"error": SENDER_RULE}, status=400)
        if len(body["message"]) > self.settings.max_message_chars:
            return response.json({"error": f"message longer than {self.settings.max_message_chars} characters"},
                                 status=413)
        return None
