"""The satisfaction survey's actions: a clicked score is stored and a comment asked for; the next text
is the comment; "skip" thanks; a refused rating or comment never loses the customer's message."""

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import ActionAnswer
from actions.brain_provider import BrainProvider
from actions.handoff_client import HandoffClient
from actions.survey import COMMENT_KEY, SKIP_PAYLOAD, ActionRateConversation, comment_request, rating_request
from bot.brain.brain import Brain
from bot.rasa_side.channels.commands import customer_text
from tests.fixtures.brain import fixture_brain


@pytest.fixture(scope="module")
def brain(tmp_path_factory: pytest.TempPathFactory) -> Brain:
    return fixture_brain(tmp_path_factory.mktemp("index"))


class Ratings(HandoffClient):
    """Records ratings instead of calling the handoff service; ``refuse`` answers like a 409."""

    def __init__(self, refuse: bool = False) -> None:
        super().__init__("http://unused", "token")
        self.refuse, self.sent = refuse, []  # type: list[tuple[Any, ...]]

    async def rate(self, conversation_id: str, ticket: str, score: int, comment: str = "") -> dict[str, Any] | None:
        self.sent.append((conversation_id, ticket, score, comment))
        return None if self.refuse else {"ticket": ticket, "rating": score, "rating_comment": comment}


def clicked(score: Any, intent: str = "rate_conversation") -> Tracker:
    message = {"text": f'/rate_conversation{{"ticket":"T5","score":{score}}}', "intent": {"name": intent},
               "entities": [{"entity": "ticket", "value": "T5"}, {"entity": "score", "value": score}]}
    return Tracker("web:c", {"lang": "pl"}, message, [{"event": "user", "text": message["text"]}], False, None, {},
                   "action_listen")


def after_prompt(text: str, metadata: dict[str, Any] | None = None) -> Tracker:
    prompt = {"event": "bot", "text": "Chcesz coś dodać?",
              "metadata": {COMMENT_KEY: {"ticket": "T5", "score": 4}} if metadata is None else metadata}
    events = [{"event": "user", "text": "/rate_conversation"}, prompt, {"event": "user", "text": text}]
    message = {"text": text, "intent": {"name": "question", "confidence": 0.9}, "entities": []}
    return Tracker("web:c", {"lang": "pl"}, message, events, False, None, {}, "action_listen")


async def rate_action(brain: Brain, t: Tracker, handoff: HandoffClient) -> CollectingDispatcher:
    dispatcher = CollectingDispatcher()
    assert await ActionRateConversation(BrainProvider(lambda: brain), handoff).run(dispatcher, t, {}) == []
    return dispatcher


async def test_a_clicked_score_is_stored_and_a_comment_asked_for_with_skip(brain: Brain) -> None:
    handoff = Ratings()
    [message] = (await rate_action(brain, clicked(4), handoff)).messages
    assert handoff.sent == [("web:c", "T5", 4, "")]
    assert message["text"] == "Dziękujemy za ocenę! Chcesz coś dodać? Napisz albo pomiń."
    assert message["buttons"] == [{"title": "Pomiń", "payload": SKIP_PAYLOAD}]
    assert message[COMMENT_KEY] == {"ticket": "T5", "score": 4}
    assert customer_text(SKIP_PAYLOAD) == SKIP_PAYLOAD  # the channels pass it as a command


async def test_a_refused_score_says_so_and_asks_nothing(brain: Brain) -> None:
    [message] = (await rate_action(brain, clicked(4), Ratings(refuse=True))).messages
    assert message["text"].startswith("Tej rozmowy nie można już ocenić") and not message["buttons"]


async def test_skip_thanks_without_storing(brain: Brain) -> None:
    handoff = Ratings()
    t = Tracker("web:c", {"lang": "en"}, {"text": SKIP_PAYLOAD, "intent": {"name": "skip_comment"}, "entities": []},
                [], False, None, {}, "action_listen")
    [message] = (await rate_action(brain, t, handoff)).messages
    assert handoff.sent == [] and message["text"].startswith("Thank you!")


def test_only_a_whole_rating_is_read_from_the_entities() -> None:
    assert rating_request(clicked(3).latest_message) == ("T5", 3)
    assert rating_request(clicked("3").latest_message) is None
    assert rating_request({"entities": [{"entity": "ticket", "value": "T5"}]}) is None


def test_a_comment_is_the_text_right_after_the_prompt() -> None:
    assert comment_request(after_prompt("Szybko i miło")) == {"ticket": "T5", "score": 4}
    assert comment_request(after_prompt('/choose_topic{"faq_id":"a"}')) is None  # a button is no comment
    assert comment_request(after_prompt("Szybko", metadata={})) is None


async def test_the_next_text_is_stored_as_the_comment_and_thanked(brain: Brain) -> None:
    handoff, dispatcher = Ratings(), CollectingDispatcher()
    events = await ActionAnswer(BrainProvider(lambda: brain), handoff).run(dispatcher, after_prompt("Szybko"), {})
    assert events == [] and handoff.sent == [("web:c", "T5", 4, "Szybko")]
    assert [m["text"] for m in dispatcher.messages] == ["Dziękujemy! Gdyby coś jeszcze było potrzebne, napisz."]


async def test_a_refused_comment_is_answered_as_a_message(brain: Brain) -> None:
    handoff, dispatcher = Ratings(refuse=True), CollectingDispatcher()
    t = after_prompt("Jak zmienić taryfę?")
    await ActionAnswer(BrainProvider(lambda: brain), handoff).run(dispatcher, t, {})
    assert handoff.sent == [("web:c", "T5", 4, "Jak zmienić taryfę?")]
    assert dispatcher.messages and not dispatcher.messages[0]["text"].startswith("Dziękujemy!")
