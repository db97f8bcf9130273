"""Every Redis key and stream the handoff service uses, in one place."""

from __future__ import annotations

PREFIX = "ho"

TICKET_SEQ = f"{PREFIX}:ticket_seq"  # INCR: ticket numbers
QUEUE = f"{PREFIX}:queue"  # sorted set of waiting ticket ids, score = priority-adjusted time
OPEN = f"{PREFIX}:open"  # set of ticket ids not resolved
ALL = f"{PREFIX}:tickets"  # sorted set of every ticket id by creation time
HISTORY = f"{PREFIX}:history"  # stream: every state change of every ticket
OUTBOX = f"{PREFIX}:outbox"  # stream: messages and events for Rasa, delivered by a consumer group
LIVE = f"{PREFIX}:live"  # pub/sub channel: console updates
STATS = f"{PREFIX}:stats"  # hash of counters
TOLD = f"{PREFIX}:told"  # hash: ticket id -> the queue position and wait the customer was last told
ACTIVITY = f"{PREFIX}:activity"  # sorted set: conversation id -> time of its last message (archiving)
ARCHIVE_SEQ = f"{PREFIX}:archive_seq"  # INCR: conv-NNNNNN ids of the live archive
ARCHIVE_IDS = f"{PREFIX}:archive_ids"  # hash: "<conversation>:<offset>" -> record id (retries reuse it)
ARCHIVE_ATTEMPTS = f"{PREFIX}:archive_attempts"  # hash: conversation id -> failed archiving attempts so far
# hash: conversation id -> JSON {"at", "attempts", "error"}: set aside after too many failures, for an admin
# to look at; its events stay, and new activity in it tries again.
ARCHIVE_FAILED = f"{PREFIX}:archive_failed"
CONVERSATIONS = f"{PREFIX}:conversations"  # HyperLogLog of conversation ids seen (for the handoff rate)
GROUP = "handoff"  # consumer group name on OUTBOX and on Rasa's event stream
NOTIFY_LOCK = f"{PREFIX}:notify_lock"  # one queue-position update at a time, across replicas

# Written by the Rasa tracker store (bot/stores.py): the conversations and their event feed.
CONVERSATION_EVENTS = "bot:events:{conversation_id}"
RASA_EVENTS = "bot:stream:events"


def ticket(ticket_id: str) -> str:
    return f"{PREFIX}:ticket:{ticket_id}"


def notes(ticket_id: str) -> str:
    return f"{PREFIX}:ticket:{ticket_id}:notes"


def owner_of_conversation(conversation_id: str) -> str:
    """The open ticket of a conversation; absent while the bot owns it."""
    return f"{PREFIX}:conversation:{conversation_id}"


def conversation_tickets(conversation_id: str) -> str:
    """Every ticket a conversation ever had, oldest first."""
    return f"{PREFIX}:conversation:{conversation_id}:tickets"


def outbox_order(conversation_id: str) -> str:
    """The conversation's undelivered outbox entry ids, oldest first (``bot.turns``)."""
    return f"{PREFIX}:outbox_order:{conversation_id}"


def archiving(conversation_id: str) -> str:
    """Held by the replica archiving the conversation right now."""
    return f"{PREFIX}:archiving:{conversation_id}"


def job(kind: str) -> str:
    """The latest admin job of a kind (mining, publishing) and the lease of the replica running it."""
    return f"{PREFIX}:job:{kind}"


def archived_offset(conversation_id: str) -> str:
    """How many of the conversation's events are archived already."""
    return f"{PREFIX}:archived:{conversation_id}"


def user(login: str) -> str:
    return f"{PREFIX}:user:{login}"


USERS = f"{PREFIX}:users"  # set of logins
ONLINE = f"{PREFIX}:online"  # sorted set: login -> last seen


def session(token: str) -> str:
    return f"{PREFIX}:session:{token}"


def conversation_events(conversation_id: str) -> str:
    return CONVERSATION_EVENTS.format(conversation_id=conversation_id)
