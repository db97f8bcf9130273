"""Every Redis key, stream and channel the product uses, in one place.

Three writers share one Redis: the Rasa side (tracker store, lock store, Messenger inbox,
the widget's pub/sub), the handoff service and the action server (through the handoff
service). The Rasa-side keys start with the tracker store's ``key_prefix`` from
``endpoints.yml`` (``TRACKER_PREFIX`` unless changed there; the handoff service and the
Messenger channel are told the same prefix, README "Settings"); the handoff service's keys
start with ``ho``.
"""

from __future__ import annotations

from dataclasses import dataclass

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
REPLICATION_PROBE = f"{PREFIX}:replication_probe"  # INCR before a WAIT (bot.core.redis_clients.replicated_write)
CONVERSATIONS = f"{PREFIX}:conversations"  # HyperLogLog of conversation ids seen (for the handoff rate)
GROUP = "handoff"  # consumer group name on OUTBOX and on Rasa's event stream
NOTIFY_LOCK = f"{PREFIX}:notify_lock"  # one queue-position update at a time, across replicas
NOTIFY_DUE = f"{PREFIX}:notify_due"  # set when the queue changed and waiting customers may need telling
# sorted set: "<ticket>:<time>:<seconds>" -> reply time, the replies' service times (handoff.wait_estimate)
RECENT_REPLIES = f"{PREFIX}:recent_replies"
LAST_REPLY = f"{PREFIX}:last_reply"  # hash: login -> time of their last reply (handoff.wait_estimate)
NOTIFY_FRESH = f"{PREFIX}:notify_fresh"  # set (with a TTL) while the expected waits were told lately
# sorted set: held-back tickets (no real exchange, over the new-ticket rate), by creation time;
# shown after the whole queue and moved into it as the rate allows
OVERFLOW = f"{PREFIX}:overflow"
# hash: shortcut -> JSON canned answer {shortcut, title, topic, text: {pl_ty, pl_pan, en}} (handoff.canned)
CANNED = f"{PREFIX}:canned"
# part C (pending, consulting an expert): sorted set ticket id -> promised time of pending tickets;
# set of the ids of tickets whose time came (or an expert answered): first in their owner's list
PENDING = f"{PREFIX}:pending"
DUE = f"{PREFIX}:due"
PENDING_LOCK = f"{PREFIX}:pending_lock"  # one pass over the due pending tickets at a time, across replicas


def consult(token: str) -> str:
    """Hash {ticket, expert, login, at} of an open e-mail consultation, named by its secret token."""
    return f"{PREFIX}:consult:{token}"


# Teams and automatic assignment (handoff.teams, handoff.presence, handoff.assigner)
TEAMS = f"{PREFIX}:teams"  # hash: team name -> JSON {members, topics, channels, fallback, created_at}
STATUS = f"{PREFIX}:status"  # hash: login -> the status a moderator chose (available, busy, away)
CAPACITY = f"{PREFIX}:capacity"  # hash: login -> automatic tickets at once (admin-set; absent: the default)
LAST_ASSIGNED = f"{PREFIX}:last_assigned"  # hash: login -> time of their last automatic assignment
AUTO_ASSIGNED = f"{PREFIX}:auto_assigned"  # hash: ticket id -> JSON {login, at}: assigned, not yet answered
ASSIGN_LOCK = f"{PREFIX}:assign_lock"  # one assignment pass at a time, across replicas
ASSIGN_DUE = f"{PREFIX}:assign_due"  # set when a ticket, a status or a load changed


def passed_over(ticket_id: str) -> str:
    """Set of the logins a ticket was taken back from (no first reply in time): offered to others first."""
    return f"{PREFIX}:passed_over:{ticket_id}"


def open_from_ip(client: str) -> str:
    """Set of the open ticket ids opened from one client address (``bot.core.clients.client_key``)."""
    return f"{PREFIX}:ip_open:{client}"


def admitted(minute: int) -> str:
    """INCR counter: tickets that joined the queue in one minute (time // 60); expires alone."""
    return f"{PREFIX}:admitted:{minute}"


def durations(histogram: str) -> str:
    """Hash: JSON [channel, team, bucket bound | "sum"] -> count (seconds for "sum") (handoff.durations)."""
    return f"{PREFIX}:durations:{histogram}"



def ticket(ticket_id: str) -> str:
    return f"{PREFIX}:ticket:{ticket_id}"


# The customers' ratings after a resolution (handoff.ratings): a stream of every rating given (ticket,
# channel, score, no text) for reports, and a hash "<channel>:<score>" -> how many tickets have that rating now.
RATINGS = f"{PREFIX}:ratings"
RATING_COUNTS = f"{PREFIX}:rating_counts"


def rated(ticket_id: str) -> str:
    """When a ticket was first rated: the rating may be replaced (or a comment added) for a while after."""
    return f"{PREFIX}:rated:{ticket_id}"


# Crisis mode (handoff.crisis_store): crises by start time, the open one of each topic, and per topic the
# recent negative tickets (sorted set by time, trimmed to the window) and hourly counts (expire alone).
CRISIS_SEQ = f"{PREFIX}:crisis_seq"
CRISES = f"{PREFIX}:crises"  # sorted set: crisis id -> started
CRISIS_OPEN = f"{PREFIX}:crisis_open"  # hash: topic -> id of its open crisis


def crisis(crisis_id: str) -> str:
    """Hash {id, topic, started, state, statement (JSON by language), published_by, published_at, closed_*}."""
    return f"{PREFIX}:crisis:{crisis_id}"


def crisis_tickets(crisis_id: str) -> str:
    """Sorted set: ticket id -> when it joined the crisis."""
    return f"{PREFIX}:crisis:{crisis_id}:tickets"


def crisis_sent(crisis_id: str) -> str:
    """Set of the ticket ids the crisis's statement went to (each once)."""
    return f"{PREFIX}:crisis:{crisis_id}:sent"


def crisis_recent(topic: str) -> str:
    return f"{PREFIX}:crisis_recent:{topic}"


def crisis_hour(topic: str, hour: int) -> str:
    """INCR counter: a topic's negative tickets in one hour (time // 3600)."""
    return f"{PREFIX}:crisis_hour:{topic}:{hour}"


def notes(ticket_id: str) -> str:
    return f"{PREFIX}:ticket:{ticket_id}:notes"


def typing_told(ticket_id: str) -> str:
    """Set for a few seconds after a ticket's moderator typing was published (``handoff.typing``)."""
    return f"{PREFIX}:typing:{ticket_id}"


def owner_of_conversation(conversation_id: str) -> str:
    """The open ticket of a conversation; absent while the bot owns it."""
    return f"{PREFIX}:conversation:{conversation_id}"


def conversation_tickets(conversation_id: str) -> str:
    """Every ticket a conversation ever had, oldest first."""
    return f"{PREFIX}:conversation:{conversation_id}:tickets"


def outbox_order(conversation_id: str) -> str:
    """The conversation's undelivered outbox entry ids, oldest first (``bot.core.turns``)."""
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


def session(token_hash: str) -> str:
    """A sign-in session, named by the SHA-256 of its token (never the token itself)."""
    return f"{PREFIX}:session:{token_hash}"


def user_sessions(login: str) -> str:
    """Set of the token hashes of a moderator's sessions (all end on a password change or disable)."""
    return f"{PREFIX}:user_sessions:{login}"


# pub/sub channel: JSON {"conversation_id"} while a moderator types a reply; the Rasa servers
# show it to the customer (Messenger's typing_on, the widget's "typing" event)
TYPING = "bot:typing"
SESSIONS_ENDED = f"{PREFIX}:sessions_ended"  # pub/sub channel: token hashes of ended sessions (closes live feeds)


def sign_in_failures(kind: str, who: str) -> str:
    """Hash {failures, last} of recent sign-in attempts per ``login`` or per client ``ip`` (throttling)."""
    return f"{PREFIX}:sign_in:{kind}:{who}"


TRACKER_PREFIX = "bot"  # the tracker and lock stores' key_prefix in endpoints.yml
MESSENGER_PREFIX = "messenger"


@dataclass(frozen=True)
class TrackerKeys:
    """What the tracker store writes (``bot.rasa_side.stores``) and the handoff service reads."""

    prefix: str = TRACKER_PREFIX

    def events(self, conversation_id: str) -> str:
        """A conversation's events, oldest first: an append-only list that keeps everything."""
        return f"{self.prefix}:events:{conversation_id}"

    def session(self, conversation_id: str) -> str:
        """Index in ``events`` where the conversation's latest session starts."""
        return f"{self.prefix}:session:{conversation_id}"

    def window(self, conversation_id: str) -> str:
        """Hash: where the tracker Rasa reads begins, and the state there."""
        return f"{self.prefix}:window:{conversation_id}"

    @property
    def stream(self) -> str:
        """Stream of every event of every conversation (the handoff service's live feed)."""
        return f"{self.prefix}:stream:events"

    def lock(self, conversation_id: str) -> list[str]:
        """The lock store's queue, expiry and counter of a conversation (``bot.rasa_side.locks``)."""
        base = f"{self.prefix}:lock:{conversation_id}"
        return [f"{base}:queue", f"{base}:expiry", f"{base}:counter"]

    @property
    def widget_pushes(self) -> str:
        """Pub/sub channel that carries pushes to widget sockets across Rasa servers."""
        return f"{self.prefix}:socketio"

    @property
    def answer_ratings(self) -> str:
        """Stream of customers' ratings of FAQ answers: {conversation, faq_id, helpful, at, answer_id,
        question_index} (``bot.rasa_side.channels.answer_ratings``; read by ``handoff.answer_ratings``)."""
        return f"{self.prefix}:answer_ratings"

    def answers_rated(self, conversation_id: str) -> str:
        """Hash: answer id (its event's timestamp) -> 1 for each answer of the conversation already rated."""
        return f"{self.prefix}:answers_rated:{conversation_id}"


@dataclass(frozen=True)
class MessengerKeys:
    """The Messenger channel's durable inbox (``bot.rasa_side.channels.inbox``)."""

    prefix: str = MESSENGER_PREFIX

    @property
    def inbox(self) -> str:
        return f"{self.prefix}:inbox"

    @property
    def dead(self) -> str:
        return f"{self.prefix}:dead"

    @property
    def failed_sends(self) -> str:
        return f"{self.prefix}:failed_sends"

    def seen(self, event_id: str) -> str:
        return f"{self.prefix}:seen:{event_id}"

    def order(self, subject: str) -> str:
        """A conversation's unfinished inbox entry ids, oldest first: per PSID for Messenger, per
        conversation id (``comment:...``) for page comments (``Inbound.order_id``)."""
        return f"{self.prefix}:order:{subject}"

    def last_in(self, psid: str) -> str:
        """When the customer last wrote (Messenger's 24-hour window)."""
        return f"{self.prefix}:last_in:{psid}"

    def profile(self, psid: str) -> str:
        """The customer's name and language from the Graph API (JSON), or a failure; expires
        (``bot.rasa_side.channels.profiles``)."""
        return f"{self.prefix}:profile:{psid}"

    def private_reply(self, comment_id: str) -> str:
        """Set once a comment's one private reply (Meta allows one) is sent; expires after Meta's 7 days
        (``bot.rasa_side.channels.comment_output``; the console greys the choice out)."""
        return f"{self.prefix}:private_reply:{comment_id}"

    def comment_told(self, conversation_id: str) -> str:
        """Set once a comment conversation was told publicly that a person will answer."""
        return f"{self.prefix}:comment_told:{conversation_id}"


@dataclass(frozen=True)
class LimitKeys:
    """The channels' per-client rate limits, shared by every Rasa server (``bot.rasa_side.limits``).
    ``window`` is the number of the fixed window (time // its length), so old counters expire alone."""

    prefix: str = TRACKER_PREFIX

    def count(self, scope: str, subject: str, window: int) -> str:
        """INCR counter: messages of ``subject`` (an IP, a conversation id, a PSID) in one window."""
        return f"{self.prefix}:limit:{scope}:{subject}:{window}"

    def opened(self, ip: str, window: int) -> str:
        """Set of the conversation ids a client IP opened in one window."""
        return f"{self.prefix}:limit:opened:{ip}:{window}"

    def told(self, scope: str, subject: str, window: int) -> str:
        """Set once the client was told it is over a limit in this window (told once per window)."""
        return f"{self.prefix}:limit:told:{scope}:{subject}:{window}"
