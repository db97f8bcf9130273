"""The satisfaction survey after a moderator resolved a conversation (``handoff/ratings.py``).

The handoff service sends 1-5 as quick replies (``/rate_conversation{"ticket":...,"score":...}``);
``action_rate_conversation`` stores the score and asks for an optional comment with a "skip"
quick reply (``/skip_comment``). The customer's next free text is the comment: ``action_answer``
asks :func:`comment_request` first and hands the text to :meth:`RatingFlow.comment`. The handoff
service keeps the window (``HANDOFF_SURVEY_COMMENT_MINUTES``): after it the comment is refused and
the text is answered as an ordinary message.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.brain_provider import BrainProvider, default_provider
from actions.handoff_client import HandoffClient, default_client

RATE_INTENT, SKIP_INTENT = "rate_conversation", "skip_comment"
SKIP_PAYLOAD = f"/{SKIP_INTENT}"
# Kept in the metadata of the "anything to add?" message: which ticket and score a comment belongs to.
COMMENT_KEY = "survey_comment"
MAX_COMMENT_CHARS = 1000  # the handoff service refuses longer (handoff/ratings.py)
LINES: dict[str, dict[str, str]] = {
    "ask_comment": {
        "pl_ty": "Dziękujemy za ocenę! Chcesz coś dodać? Napisz albo pomiń.",
        "pl_pan": "Dziękujemy za ocenę! Chce Pan/Pani coś dodać? Prosimy napisać albo pominąć.",
        "en": "Thank you for your rating! Anything to add? Write it or skip.",
    },
    "skip": {"pl_ty": "Pomiń", "pl_pan": "Pomiń", "en": "Skip"},
    "thanks": {
        "pl_ty": "Dziękujemy! Gdyby coś jeszcze było potrzebne, napisz.",
        "pl_pan": "Dziękujemy! W razie pytań prosimy pisać.",
        "en": "Thank you! If you need anything else, just write.",
    },
    "closed": {
        "pl_ty": "Tej rozmowy nie można już ocenić. Gdyby coś jeszcze było potrzebne, napisz.",
        "pl_pan": "Tej rozmowy nie można już ocenić. W razie pytań prosimy pisać.",
        "en": "This conversation can no longer be rated. If you need anything else, just write.",
    },
}


def survey_line(key: str, lang: str, register: str) -> str:
    variants = LINES[key]
    return variants["en"] if lang == "en" else variants[f"pl_{register}"]


def rating_request(message: dict[str, Any]) -> tuple[str, int] | None:
    """(ticket, score) from a clicked 1-5 quick reply, None when the entities are not that."""
    found = {e.get("entity"): e.get("value") for e in message.get("entities") or []}
    ticket, score = found.get("ticket"), found.get("score")
    if isinstance(ticket, str) and isinstance(score, int) and not isinstance(score, bool):
        return ticket, score
    return None


def comment_request(tracker: Tracker) -> dict[str, Any] | None:
    """The ticket and score the latest message comments on: the bot's last message before it asked
    for a comment, and the customer wrote text (not a button) right after it."""
    events = list(tracker.events)
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=-1)
    if last_user < 0 or (events[last_user].get("text") or "").startswith("/"):
        return None
    earlier = [e for e in events[:last_user] if e.get("event") in ("bot", "user")]
    if not earlier or earlier[-1].get("event") != "bot":
        return None
    asked = (earlier[-1].get("metadata") or {}).get(COMMENT_KEY)
    return asked if isinstance(asked, dict) and isinstance(asked.get("ticket"), str) else None


class RatingFlow:
    """Stores scores and comments through the handoff service and says what comes next."""

    def __init__(self, provider: BrainProvider | None = None, handoff: HandoffClient | None = None) -> None:
        self._provider = provider or default_provider
        self._handoff = handoff or default_client

    async def _register(self) -> str:
        return (await self._provider.get()).register

    async def rate(self, dispatcher: CollectingDispatcher, tracker: Tracker, ticket: str, score: int) -> None:
        lang, register = tracker.get_slot("lang") or "pl", await self._register()
        if await self._handoff.rate(tracker.sender_id, ticket, score) is None:
            dispatcher.utter_message(text=survey_line("closed", lang, register))
            return
        skip = {"title": survey_line("skip", lang, register), "payload": SKIP_PAYLOAD}
        dispatcher.utter_message(text=survey_line("ask_comment", lang, register), buttons=[skip],
                                 **{COMMENT_KEY: {"ticket": ticket, "score": score}})

    async def comment(self, dispatcher: CollectingDispatcher, tracker: Tracker, asked: dict[str, Any]) -> bool:
        """Store the latest text as the comment and thank; False when refused (too late, too long)."""
        text = ((tracker.latest_message or {}).get("text") or "").strip()
        score = asked.get("score")
        if not text or len(text) > MAX_COMMENT_CHARS or not isinstance(score, int):
            return False
        if await self._handoff.rate(tracker.sender_id, asked["ticket"], score, text) is None:
            return False
        dispatcher.utter_message(text=survey_line("thanks", tracker.get_slot("lang") or "pl", await self._register()))
        return True


class ActionRateConversation(Action):
    """A clicked score (``rate_conversation``) or "skip" (``skip_comment``)."""

    def __init__(self, provider: BrainProvider | None = None, handoff: HandoffClient | None = None) -> None:
        self._flow = RatingFlow(provider, handoff)
        self._provider = provider or default_provider

    def name(self) -> str:
        return "action_rate_conversation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        message = tracker.latest_message or {}
        request = rating_request(message)
        if (message.get("intent") or {}).get("name") == RATE_INTENT and request is not None:
            await self._flow.rate(dispatcher, tracker, *request)
        else:  # skipped the comment
            register = (await self._provider.get()).register
            dispatcher.utter_message(text=survey_line("thanks", tracker.get_slot("lang") or "pl", register))
        return []
