"""The customer's rating after a resolution: the survey's quick replies, the rules, and where it is kept.

A resolved ticket (not a hand-back, not a public comment) sends the customer a 1-5 survey
(outbox kind "survey"). Their score, and later an optional comment, arrive through the action
server at ``POST /internal/ratings``. A rating may be replaced, or a comment added, for
``window_seconds`` after the first one; then it is final. The score is kept on the ticket
(``rating``, ``rating_comment``), counted per channel and score in ``keys.RATING_COUNTS`` and
appended to ``keys.RATINGS`` for reports (no customer text there).
"""

from __future__ import annotations

from typing import Any

from prometheus_client.core import GaugeMetricFamily
from redis.asyncio import Redis
from redis.exceptions import WatchError

from bot.core import keys
from bot.core.text import as_str
from handoff import clock
from handoff.errors import Conflict, NotFound
from handoff.intake import RETRIES
from handoff.models import Outcome, Ticket, TicketState

SCORES = (1, 2, 3, 4, 5)
MAX_COMMENT_CHARS = 1000  # a comment is a few sentences; longer is refused, never cut
DEFAULT_COMMENT_MINUTES = 10  # HANDOFF_SURVEY_COMMENT_MINUTES: time to add a comment or change the score
RATINGS_KEPT = 100_000  # entries of the ratings stream (approximate trim)
INTENT = "rate_conversation"  # the quick replies' intent command (bot.rasa_side.channels.commands)


def rating_payload(ticket_id: str, score: int) -> str:
    return f'/{INTENT}{{"ticket":"{ticket_id}","score":{score}}}'


def survey_buttons(ticket_id: str) -> list[dict[str, str]]:
    """Five quick replies, 1 (bad) to 5 (great); Messenger shows them as quick replies too."""
    return [{"title": str(score), "payload": rating_payload(ticket_id, score)} for score in SCORES]


def wants_survey(ticket: Ticket) -> bool:
    """Solved by a person, in a private channel: a public thread gets no survey."""
    return ticket.outcome == Outcome.RESOLVED.value and not ticket.in_public


def clean_score(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in SCORES:
        raise ValueError("score must be an integer from 1 to 5")
    return value


def clean_comment(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > MAX_COMMENT_CHARS:
        raise ValueError(f"comment must be a string of at most {MAX_COMMENT_CHARS} characters")
    return value.strip()


def check_rating(ticket: Ticket, conversation_id: str, first_rated_at: float | None, now: float,
                 window_seconds: float) -> None:
    """May this conversation rate this ticket now? NotFound hides other conversations' tickets."""
    if ticket.conversation_id != conversation_id:
        raise NotFound(f"ticket {ticket.id} not found")
    if ticket.state != TicketState.RESOLVED or not wants_survey(ticket):
        raise Conflict(f"ticket {ticket.id} is not resolved by a moderator; it cannot be rated")
    if first_rated_at is not None and now - first_rated_at > window_seconds:
        raise Conflict(f"ticket {ticket.id} is already rated")


class Ratings:
    def __init__(self, client: Redis, window_seconds: float = DEFAULT_COMMENT_MINUTES * 60,
                 retention_seconds: int = 0) -> None:
        self.redis: Any = client
        self.window_seconds = window_seconds
        self.retention_seconds = retention_seconds  # the rated mark lives as long as the ticket (0: no expiry)

    async def rate(self, conversation_id: str, ticket_id: str, score: int, comment: str = "",
                   now: float | None = None) -> Ticket:
        """Store (or replace, within the window) the ticket's rating; one transaction."""
        now = clock.now() if now is None else now
        ticket_key, rated_key = keys.ticket(ticket_id), keys.rated(ticket_id)
        for _ in range(RETRIES):
            async with self.redis.pipeline(transaction=True) as pipe:
                try:
                    await pipe.watch(ticket_key, rated_key)
                    raw = await pipe.hgetall(ticket_key)
                    if not raw:
                        raise NotFound(f"ticket {ticket_id} not found")
                    ticket = Ticket.from_redis({as_str(k): as_str(v) for k, v in raw.items()})
                    first = await pipe.get(rated_key)
                    check_rating(ticket, conversation_id, float(first) if first else None, now, self.window_seconds)
                    pipe.multi()
                    self._write(pipe, ticket, score, comment, now, first_rated=not first)
                    await pipe.execute()
                    ticket.rating, ticket.rating_comment = score, comment
                    return ticket
                except WatchError:
                    continue
        raise Conflict(f"ticket {ticket_id} is changing too fast; try again")

    def _write(self, pipe: Any, ticket: Ticket, score: int, comment: str, now: float, first_rated: bool) -> None:
        pipe.hset(keys.ticket(ticket.id), mapping={"rating": str(score), "rating_comment": comment})
        if ticket.rating is not None:
            pipe.hincrby(keys.RATING_COUNTS, f"{ticket.channel}:{ticket.rating}", -1)
        pipe.hincrby(keys.RATING_COUNTS, f"{ticket.channel}:{score}", 1)
        if first_rated:
            pipe.set(keys.rated(ticket.id), str(now))
            if self.retention_seconds:
                pipe.expire(keys.rated(ticket.id), self.retention_seconds)
        entry = {"ticket": ticket.id, "channel": ticket.channel, "score": str(score), "at": str(now),
                 "comment": "1" if comment else "0", "replaces": "" if ticket.rating is None else str(ticket.rating)}
        pipe.xadd(keys.RATINGS, entry, maxlen=RATINGS_KEPT, approximate=True)



async def satisfaction(client: Any) -> dict[str, Any]:
    """The ratings now: count, mean and distribution, overall and per channel."""
    counts: dict[str, dict[int, int]] = {}  # channel -> score -> tickets
    for field, value in (await client.hgetall(keys.RATING_COUNTS)).items():
        channel, _, score = as_str(field).rpartition(":")
        if score.isdigit() and int(value) > 0:
            counts.setdefault(channel, {})[int(score)] = int(value)
    return summary(counts)


def summary(counts: dict[str, dict[int, int]]) -> dict[str, Any]:
    """Count, mean and distribution, overall and per channel: for /api/stats and /metrics."""
    def one(dist: dict[int, int]) -> dict[str, Any]:
        total = sum(dist.values())
        mean = sum(s * n for s, n in dist.items()) / total if total else 0.0
        return {"count": total, "mean": round(mean, 3), "distribution": {str(s): dist.get(s, 0) for s in SCORES}}

    overall: dict[int, int] = {}
    for dist in counts.values():
        for score, n in dist.items():
            overall[score] = overall.get(score, 0) + n
    return {**one(overall), "channels": {channel: one(dist) for channel, dist in sorted(counts.items())}}


def satisfaction_families(summary_: dict[str, Any]) -> list[GaugeMetricFamily]:
    """Ratings per channel and score, and their mean, for ``/metrics`` (kept in Redis: the same on every replica)."""
    ratings = GaugeMetricFamily("volta_handoff_satisfaction_ratings",
                                "Tickets rated by the customer after a resolution, per channel and score",
                                labels=["channel", "score"])
    for channel, data in summary_["channels"].items():
        for score, n in data["distribution"].items():
            ratings.add_metric([channel, score], n)
    mean = GaugeMetricFamily("volta_handoff_satisfaction_mean", "Mean customer rating (1-5) of rated tickets",
                             value=summary_["mean"])
    return [ratings, mean]
