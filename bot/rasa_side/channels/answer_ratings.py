"""A customer rates a bot answer in the widget: ``rate_answer {"id": <message id>, "helpful": bool}``.

The id must be the id (the stored ``BotUttered`` timestamp, ``channels/catch_up.py``) of an FAQ
answer of the socket's own conversation, among its latest ``CATCH_UP_MAX_EVENTS`` events. A rating
is kept once per answer: a Lua script marks the answer in ``answers_rated(conversation)`` and adds
``{conversation, faq_id, helpful, at, answer_id, question_index}`` to the capped stream
``answer_ratings``, both or neither. ``question_index`` is the position in the conversation's
event list of the customer's message before the answer (-1 when none): the report
(``handoff.answer_ratings``) reads the question from there, so no customer text is copied.

No Rasa import: the rules are unit-tested in the application's venv.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis

from bot.core.keys import TrackerKeys
from bot.core.redis_clients import async_client
from bot.core.redis_config import RedisConfig
from bot.rasa_side.channels.catch_up import BOT_EVENT, CATCH_UP_MAX_EVENTS, TOPIC_KEY, message_of, rateable, valid_id

logger = logging.getLogger(__name__)

MAX_RATINGS = 100_000  # the stream's approximate cap (MAXLEN ~): the oldest ratings go first
RATED_MARK_SECONDS = 90 * 24 * 3600  # how long "this answer was rated" is remembered
MAX_RATINGS_PER_CONNECTION = 50  # each asks Redis for up to CATCH_UP_MAX_EVENTS events; more is a client misbehaving
USER_EVENT = "user"

# KEYS: the rated-answers hash, the stream. ARGV: answer id, max length, mark lifetime, then field/value pairs.
_RATE_ONCE = """
if redis.call('HSETNX', KEYS[1], ARGV[1], '1') == 0 then return 0 end
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', unpack(ARGV, 4))
return 1
"""


class RatingError(Exception):
    """A refused rating; ``code`` goes to the widget in an ``error`` event."""

    def __init__(self, code: str, text: str) -> None:
        super().__init__(text)
        self.code = code


@dataclass(frozen=True)
class RatedAnswer:
    faq_id: str
    question_index: int  # absolute position of the customer's message before it; -1 when none


def check_request(data: Any) -> tuple[float, bool]:
    """The answer id and the rating of a ``rate_answer`` payload, or RatingError naming the field."""
    if not isinstance(data, dict) or not valid_id(data.get("id")):
        raise RatingError("bad_id", "rate_answer needs {\"id\": <a message id>, \"helpful\": true|false}")
    if not isinstance(data.get("helpful"), bool):
        raise RatingError("bad_helpful", "helpful must be true or false")
    return float(data["id"]), bool(data["helpful"])


def find_answer(events: list[dict[str, Any]], answer_id: float, first_index: int) -> RatedAnswer:
    """The FAQ answer whose id is ``answer_id`` among ``events`` (which start at ``first_index`` of the
    conversation's list), with the customer's message before it; RatingError when there is none."""
    for i in range(len(events) - 1, -1, -1):
        event = events[i]
        if event.get("event") != BOT_EVENT or event.get("timestamp") != answer_id:
            continue
        message = message_of(event)
        if not rateable(message):
            raise RatingError("not_an_answer", "only an answer from the FAQ can be rated")
        question = next((j for j in range(i - 1, -1, -1) if events[j].get("event") == USER_EVENT), None)
        return RatedAnswer(str(message[TOPIC_KEY]), -1 if question is None else first_index + question)
    raise RatingError("bad_id", "id is not the id of a message of this conversation")


class AnswerRatings:
    """Stores the widget's ratings; its Redis client is made on first use (inside Rasa's event loop)."""

    def __init__(self, redis: RedisConfig, prefix: str) -> None:
        self._redis = redis
        self._keys = TrackerKeys(prefix)
        self._client: aioredis.Redis | None = None
        self._asked: dict[str, int] = {}  # socket id -> ratings it sent

    def forget(self, sid: str) -> None:
        self._asked.pop(sid, None)

    async def close(self) -> None:
        if self._client is not None:
            closing = getattr(self._client, "aclose", None) or self._client.close  # redis-py 4 (Rasa's) or 5+
            await closing()
            self._client = None

    def _connection(self) -> aioredis.Redis:
        if self._client is None:
            self._client = async_client(self._redis, decode_responses=True,
                                          socket_timeout=5, socket_connect_timeout=5)
        return self._client

    async def _latest(self, conversation_id: str) -> tuple[list[dict[str, Any]], int]:
        """The conversation's latest events and the list position of the first of them (one transaction)."""
        key = self._keys.events(conversation_id)
        async with self._connection().pipeline(transaction=True) as pipe:
            pipe.llen(key)
            pipe.lrange(key, -CATCH_UP_MAX_EVENTS, -1)
            length, raw = await pipe.execute()
        return [json.loads(r) for r in raw], int(length) - len(raw)

    async def rate(self, conversation_id: str, data: Any, now: float | None = None) -> None:
        """Keep one rating of one answer of ``conversation_id``; RatingError when refused."""
        answer_id, helpful = check_request(data)
        events, first_index = await self._latest(conversation_id)
        answer = find_answer(events, answer_id, first_index)
        fields = {"conversation": conversation_id, "faq_id": answer.faq_id, "helpful": "1" if helpful else "0",
                  "at": repr(time.time() if now is None else now), "answer_id": repr(answer_id),
                  "question_index": str(answer.question_index)}
        args: list[str | int] = [repr(answer_id), MAX_RATINGS, RATED_MARK_SECONDS,
                                 *(x for kv in fields.items() for x in kv)]
        stored = await self._connection().eval(_RATE_ONCE, 2, self._keys.answers_rated(conversation_id),
                                               self._keys.answer_ratings, *args)
        if not stored:
            raise RatingError("already_rated", "this answer was rated already")
        logger.info("answer %s of %s rated", answer.faq_id, conversation_id)

    async def answer(self, sio: Any, sid: str, conversation_id: str | None, data: Any) -> None:
        """Handle one ``rate_answer``: ``answer_rated {"id"}`` to the socket, or one ``error`` with a code."""
        async def error(code: str, text: str) -> None:
            await sio.emit("error", {"code": code, "error": text}, room=sid)

        if conversation_id is None:
            await error("no_session", "send session_request first")
            return
        self._asked[sid] = self._asked.get(sid, 0) + 1
        if self._asked[sid] > MAX_RATINGS_PER_CONNECTION:
            await error("too_many_ratings", f"at most {MAX_RATINGS_PER_CONNECTION} ratings per connection")
            return
        try:
            await self.rate(conversation_id, data)
        except RatingError as e:
            await error(e.code, str(e))
            return
        except Exception as e:  # Redis away: the widget may try again
            logger.error("rating in %s failed: %r", conversation_id, e)
            await error("unavailable", "the rating cannot be stored now")
            return
        await sio.emit("answer_rated", {"id": data["id"]}, room=sid)
