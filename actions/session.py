"""``action_session_start``: Rasa's own, plus one guard.

A new session (after ``session_expiration_time`` of silence) resets the tracker, which
silently ends a pause: the bot would start answering in a conversation a moderator owns.
This action asks the handoff service who owns the conversation and pauses again if it is
the queue or a moderator.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, ConversationPaused, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff_client import HandoffClient, default_client


class ActionSessionStart(Action):
    def __init__(self, handoff: HandoffClient | None = None) -> None:
        self._handoff = handoff or default_client

    def name(self) -> str:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = [SessionStarted()]
        carry = (domain.get("session_config") or {}).get("carry_over_slots_to_new_session", True)
        if carry:
            events += [SlotSet(name, value) for name, value in tracker.slots.items()
                       if value is not None and name != "session_started_metadata"]
        if await self._handoff.owner(tracker.sender_id) in ("queue", "moderator"):
            events.append(ConversationPaused())
        events.append(ActionExecuted("action_listen"))
        return events
