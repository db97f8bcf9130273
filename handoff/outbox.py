"""Delivering the outbox to customers through Rasa: replies, status changes, hand-backs.

Entries are written by the ticket store in the same transaction as the change that caused
them and delivered by a ``StreamWorker``: if the service dies after a moderator pressed
"send" and before Rasa got the message, the restarted service delivers it.

Rasa's ``tracker/events`` sends the messages to the customer's channel and only then saves
them; killed in between, it has shown a message it never stored, and the entry is delivered
again. So an entry's events carry a timestamp of their own, the entry's (``entry_timestamp``),
not the moment of delivery: both deliveries of a message then have the same widget id
(``bot/rasa_side/channels/catch_up.py``), the widget shows it once, and the id it last showed
is found when it catches up.
"""

from __future__ import annotations

import json
from typing import Any

from redis.asyncio import Redis

from bot.core import keys
from bot.core.conversation_ids import MESSENGER_PREFIX
from handoff.messages import line, queue_line, signed
from handoff.rasa_client import RasaClient

RECENT_EVENTS = 200  # how far back a redelivered entry is looked for
SEQUENCE_STEP = 1e-6  # entries of one millisecond, apart: a float near 1.8e9 still tells 1e-6 steps
SEQUENCES = 1000  # entries of one millisecond that fit below the next one's stamp


def entry_timestamp(entry_id: str) -> float | None:
    """The Unix time a stream entry id (``<ms>-<seq>``, Redis's clock) stands for, entries of one
    millisecond a microsecond apart; None past the 1,000th entry of one millisecond (a crisis
    statement to thousands at once, or a master whose clock is behind the last id), whose stamp
    could equal a later entry's: Rasa's own clock stamps those."""
    ms, _, seq = entry_id.partition("-")
    if not (ms.isdigit() and seq.isdigit()):
        raise ValueError(f"not a stream entry id: {entry_id!r}")
    if int(seq) >= SEQUENCES:
        return None
    return int(ms) / 1000 + int(seq) * SEQUENCE_STEP


def rasa_events(kind: str, payload: dict[str, Any], lang: str, register: str, ticket: str,
                conversation_id: str = "") -> list[dict[str, Any]]:
    """The Rasa events that carry one outbox entry to the customer."""
    if kind == "reply":
        metadata = {"moderator": payload["moderator"], "moderator_name": payload["moderator_name"], "ticket": ticket}
        if payload.get("visibility"):  # a public comment's reply: under the comment or privately (K3)
            metadata["visibility"] = payload["visibility"]
        text = signed(payload["text"], payload["moderator_name"], lang, register)
        return [{"event": "bot", "text": text, "metadata": metadata}]
    if kind == "pending":  # the owner's promise to come back by a time (handoff.pending), signed like a reply
        metadata = {"moderator": payload["moderator"], "ticket": ticket, "pending_until": payload["pending_until"]}
        return [{"event": "bot", "text": signed(payload["text"], payload["moderator_name"], lang, register),
                 "metadata": metadata}]
    if kind == "status":
        state = payload["handoff"]
        joined = state.get("state") == "human"
        status_text = line("joined", lang, register, name=state["moderator"]) if joined else None
        return [{"event": "bot", "text": status_text, "data": {"custom": payload}, "metadata": {"ticket": ticket}}]
    if kind == "reopened":  # a moderator reopened a resolved ticket (handoff.reopen): people own it again
        state = payload["handoff"]
        said = line("joined", lang, register, name=state["moderator"]) if state.get("state") == "human" else None
        return [{"event": "pause"},
                {"event": "bot", "text": said, "data": {"custom": payload}, "metadata": {"ticket": ticket}}]
    if kind == "queue":
        custom = dict(payload)
        if conversation_id.startswith(MESSENGER_PREFIX):  # no status bar there: the update as a message
            custom["messenger"] = {"text": queue_line(payload["handoff"], lang, register)}
        return [{"event": "bot", "text": None, "data": {"custom": custom}, "metadata": {"ticket": ticket}}]
    if kind == "handback":
        text = payload.get("text") or line("handed_back", lang, register)
        return [
            {"event": "resume"},
            {"event": "action", "name": "action_listen"},
            {"event": "bot", "text": text, "data": {"custom": {"handoff": {"state": "bot"}}},
             "metadata": {"ticket": ticket}},
        ]
    if kind == "statement":  # one statement to every conversation of a crisis (handoff.crisis), signed by the team
        metadata = {"ticket": ticket, "crisis": payload["crisis"]}
        if payload.get("visibility"):  # a public comment's thread: answered under the comment
            metadata["visibility"] = payload["visibility"]
        return [{"event": "bot", "text": f"{payload['text'].rstrip()}\n{line('team_signature', lang, register)}",
                 "metadata": metadata}]
    if kind == "survey":  # after a resolution: 1-5 as quick replies (handoff.ratings)
        return [{"event": "bot", "text": line("survey", lang, register), "data": {"buttons": payload["buttons"]},
                 "metadata": {"ticket": ticket}}]
    raise ValueError(f"unknown outbox entry kind {kind!r}")


def already_delivered(recent_events: list[dict[str, Any]], entry_id: str) -> bool:
    return any((e.get("metadata") or {}).get("outbox") == entry_id for e in recent_events)


class OutboxDelivery:
    """Delivers each entry once: its id goes into the bot event's metadata, and an entry whose
    id is already in the conversation (delivered just before a crash, not yet acknowledged)
    is not sent again."""

    def __init__(self, rasa: RasaClient, client: Redis, register: str,
                 tracker: keys.TrackerKeys | None = None) -> None:
        self._rasa = rasa
        self._tracker = tracker or keys.TrackerKeys()
        self._redis: Any = client
        self._register = register

    async def __call__(self, entry_id: str, fields: dict[str, str]) -> None:
        conversation_id = fields["conversation_id"]
        raw = await self._redis.lrange(self._tracker.events(conversation_id), -RECENT_EVENTS, -1)
        if already_delivered([json.loads(r) for r in raw], entry_id):
            return
        events = rasa_events(fields["kind"], json.loads(fields["payload"]), fields.get("lang", "pl"),
                             self._register, fields.get("ticket", ""), conversation_id)
        at = entry_timestamp(entry_id)
        for event in events:
            if at is not None:
                event["timestamp"] = at  # the same on every delivery of the entry (see the module's text)
            if event["event"] == "bot":
                event["metadata"] = {**event.get("metadata", {}), "outbox": entry_id}
        await self._rasa.push_events(conversation_id, events)
