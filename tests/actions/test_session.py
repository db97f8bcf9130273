from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff_client import HandoffClient
from actions.session import ActionSessionStart


class Owner(HandoffClient):
    def __init__(self, owner: str | None) -> None:
        super().__init__("http://unused", "token")
        self._owner = owner

    async def owner(self, conversation_id: str) -> str | None:
        return self._owner


async def start(owner: str | None) -> list[dict[str, Any]]:
    tracker = Tracker("web:x", {"lang": "pl", "session_started_metadata": None}, {}, [], True, None, {}, "")
    return await ActionSessionStart(Owner(owner)).run(CollectingDispatcher(), tracker,
                                                      {"session_config": {"carry_over_slots_to_new_session": True}})


async def test_new_session_keeps_a_humans_conversation_paused() -> None:
    for owner in ("queue", "moderator"):
        events = [e["event"] for e in await start(owner)]
        assert events == ["session_started", "slot", "pause", "action"]


async def test_new_session_of_the_bots_conversation_is_not_paused() -> None:
    for owner in ("bot", None):  # None: the handoff service could not be asked
        events = await start(owner)
        assert [e["event"] for e in events] == ["session_started", "slot", "action"]
        assert events[1]["name"] == "lang" and events[-1]["name"] == "action_listen"
