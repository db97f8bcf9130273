"""Rasa's REST channel, honest about failures (``credentials.yml``: ``bot.rasa_side.channels.rest.StrictRestInput``).

Rasa 3.6's ``rest`` channel answers 200 even when handling the message failed (a lock or
tracker store error, a timeout), so a caller cannot tell a stored message from a lost one.
This one answers 503 with ``{"error": ...}`` then, and the caller knows to send it again.
Typed "/commands" are text unless they are the product's own buttons (``commands.py``).
"""

from __future__ import annotations

import logging
from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.rasa_side.channels.commands import customer_text

logger = logging.getLogger(__name__)


class StrictRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("strict_rest_webhook", __name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not isinstance(request.json, dict) or not isinstance(request.json.get("message"), str):
                return response.json({"error": "body must be {\"sender\": ..., \"message\": \"text\"}"}, status=400)
            sender_id = await self._extract_sender(request)
            collector = CollectingOutputChannel()
            message = UserMessage(customer_text(self._extract_message(request)), collector, sender_id,
                                  input_channel=self.name(), metadata=self.get_metadata(request))
            try:
                await on_new_message(message)
            except (CancelledError, Exception) as e:
                logger.error("REST message of %s not handled: %r", sender_id, e)
                return response.json({"error": "the message was not handled; send it again"}, status=503)
            return response.json(collector.messages)

        return bp
