"""``action_answer``: every customer message that is not small talk goes to the brain."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.brain_provider import BrainProvider, default_provider
from actions.fair_queue import client_for
from actions.handoff_client import REFUSED_TOO_MANY_OPEN, HandoffClient, default_client
from actions.survey import RatingFlow, comment_request
from bot.brain.brain import Brain, Decision
from bot.brain.conversation import BOT, CUSTOMER, Turn
from bot.brain.replies import handoff_reply, reply
from bot.core.language import detect_lang

SMALLTALK_INTENTS = frozenset({"greet", "goodbye", "thanks", "help"})
# A photo or sticker (the Messenger channel sends it as "/attachment"): thanked, asked for words.
ATTACHMENT_INTENT = "attachment"
# Below this NLU confidence a "greeting" is more likely a question starting with "hej".
SMALLTALK_CONFIDENCE = 0.7
CHOOSE_TOPIC_INTENT = "choose_topic"
# The handoff service refuses a bigger count (handoff/admission.py MAX_EXCHANGES): say this many at most.
MAX_EXCHANGES = 10_000
CLIENT_IP_KEY = "client_ip"  # set by the channel from the connection (never the client's own word)
# Set by the Messenger channel from the Graph API profile (never from a client: clients.py drops it).
CUSTOMER_NAME_KEY = "customer_name"
MAX_CUSTOMER_NAME_CHARS = 80  # the handoff service refuses longer (handoff/internal.py MAX_NAME_CHARS)
LANGUAGES = ("pl", "en")


def topic_button(option: dict[str, str]) -> dict[str, str]:
    """A quick reply that answers the topic directly when clicked."""
    return {"title": option["title"], "payload": f'/{CHOOSE_TOPIC_INTENT}{{"faq_id":"{option["faq_id"]}"}}'}


# What the bot decided, kept in the metadata of its message, so the next turn can be judged with it.
DECISION_KEY, TOPIC_KEY = "bot_decision", "bot_faq_id"


def _intent(event: dict[str, Any]) -> str | None:
    return (event.get("parse_data") or {}).get("intent", {}).get("name")


def conversation_turns(tracker: Tracker) -> list[Turn]:
    """The conversation before the latest message: the customer's questions (small talk and
    attachments are no failed attempts) and the bot's replies with what it decided."""
    events = list(tracker.events)
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=len(events))
    turns = []
    for event in events[:last_user]:
        if event.get("event") == "user" and _intent(event) not in (*SMALLTALK_INTENTS, ATTACHMENT_INTENT):
            turns.append(Turn(CUSTOMER, event.get("text") or ""))
        elif event.get("event") == "bot" and event.get("text"):
            metadata = event.get("metadata") or {}
            turns.append(Turn(BOT, event["text"], metadata.get(DECISION_KEY), metadata.get(TOPIC_KEY)))
    return turns


def ticket_evidence(decision: Decision, brain: Brain, limit: int = 6) -> list[dict[str, Any]]:
    """What the bot found, for the moderator: the likeliest topics, then the closest stored questions."""
    out: list[dict[str, Any]] = []
    for item in decision.evidence:
        entry = brain.entries.get(str(item.get("faq_id")))
        title = entry.title.get(decision.lang, entry.id) if entry else str(item.get("faq_id"))
        if "probability" in item:
            out.append({"faq_id": item["faq_id"], "title": title, "score": item["probability"], "kind": "topic"})
        elif "similarity" in item:
            out.append({"faq_id": item["faq_id"], "title": title, "score": item["similarity"], "kind": "question",
                        "question": item.get("question", ""), "source": item.get("source", "faq")})
    return out[:limit]


def real_exchanges(events: Iterable[dict[str, Any]]) -> int:
    """How many times the bot answered and the customer wrote again afterwards (the handoff
    service ranks a ticket without one after real customers, ``handoff/admission.py``)."""
    count, answered = 0, False
    for event in events:
        if event.get("event") == "bot":
            answered = True
        elif event.get("event") == "user" and answered:
            count, answered = count + 1, False
    return min(count, MAX_EXCHANGES)


def client_ip(metadata: object) -> str:
    """The address the channel saw the message come from; "" when it has none (Messenger, REST)."""
    value = metadata.get(CLIENT_IP_KEY) if isinstance(metadata, dict) else None
    return value if isinstance(value, str) else ""


def customer_name(events: Iterable[dict[str, Any]]) -> str:
    """The name in the latest customer message whose metadata has one; "" when none has."""
    for event in reversed(list(events)):
        name = (event.get("metadata") or {}).get(CUSTOMER_NAME_KEY) if event.get("event") == "user" else None
        if isinstance(name, str) and name.strip() and len(name) <= MAX_CUSTOMER_NAME_CHARS:
            return name.strip()
    return ""


def channel_lang(metadata: object) -> str:
    """The language the channel knows for the customer (Messenger's profile or page, the widget's
    setting): small talk is answered in it when the words themselves say nothing (a button)."""
    value = metadata.get("lang") if isinstance(metadata, dict) else None
    return value if isinstance(value, str) and value in LANGUAGES else "pl"


class ActionAnswer(Action):
    def __init__(self, provider: BrainProvider | None = None, handoff: HandoffClient | None = None) -> None:
        self._provider = provider or default_provider
        self._handoff = handoff or default_client

    def name(self) -> str:
        return "action_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[Any]:
        message = tracker.latest_message or {}
        text = message.get("text") or ""
        intent = message.get("intent") or {}
        brain = await self._provider.get()
        if intent.get("name") == CHOOSE_TOPIC_INTENT:
            faq_id = next((e.get("value") for e in message.get("entities", []) if e.get("entity") == "faq_id"), None)
            lang = tracker.get_slot("lang") or "pl"
            if faq_id in brain.entries:
                dispatcher.utter_message(text=brain.entries[faq_id].answer(lang, brain.register))
                return []
        asked = comment_request(tracker)  # the survey asked for a comment: this text is it (actions/survey.py)
        if asked is not None and await RatingFlow(self._provider, self._handoff).comment(dispatcher, tracker, asked):
            return []
        if intent.get("name") == ATTACHMENT_INTENT:
            dispatcher.utter_message(text=reply("attachment", tracker.get_slot("lang") or "pl", brain.register))
            return []
        if intent.get("name") in SMALLTALK_INTENTS and intent.get("confidence", 0) >= SMALLTALK_CONFIDENCE:
            lang = detect_lang(text, channel_lang(message.get("metadata")))
            dispatcher.utter_message(text=reply(intent["name"], lang, brain.register))
            return [SlotSet("lang", lang)]
        metadata = message.get("metadata")
        client = client_for(tracker.sender_id, metadata if isinstance(metadata, dict) else None,
                            real_exchanges(tracker.events))
        decision = await self._provider.decide(text, conversation_turns(tracker), client)
        if decision.decision == "handoff":
            handed = await self._hand_off(dispatcher, tracker, decision, brain)
            if handed is not None:
                return [SlotSet("lang", decision.lang), *handed]
        self._dispatch(dispatcher, decision)
        return [SlotSet("lang", decision.lang)]

    async def _hand_off(self, dispatcher: CollectingDispatcher, tracker: Tracker, decision: Decision,
                        brain: Brain) -> list[Any] | None:
        """Open a ticket and tell the customer their place (the bot pauses); when their address has
        its share of open tickets, say so with the contact details (the bot goes on). None if the
        queue is unreachable: the decision's own answer then gives the contact details."""
        metadata = (tracker.latest_message or {}).get("metadata")
        # Names come from a channel's own lookup (Messenger's profile), never from a client.
        opened = await self._handoff.open_ticket(tracker.sender_id, decision.lang, decision.reasons,
                                                 ticket_evidence(decision, brain), customer_name(tracker.events),
                                                 client_ip(metadata),
                                                 real_exchanges(tracker.events))
        if opened is None:
            return None
        if opened.get("refused") == REFUSED_TOO_MANY_OPEN:
            dispatcher.utter_message(text=reply("handoff_limited", decision.lang, brain.register))
            return []
        state = opened["handoff"]
        dispatcher.utter_message(text=handoff_reply(state, decision.lang, brain.register),
                                 json_message={"handoff": state})
        return [ConversationPaused()]

    @staticmethod
    def _dispatch(dispatcher: CollectingDispatcher, decision: Decision) -> None:
        kept = {DECISION_KEY: decision.decision, TOPIC_KEY: decision.faq_id}
        if decision.decision == "clarify" and decision.options:
            dispatcher.utter_message(text=decision.answer, buttons=[topic_button(o) for o in decision.options], **kept)
        elif decision.answer:
            dispatcher.utter_message(text=decision.answer, **kept)
