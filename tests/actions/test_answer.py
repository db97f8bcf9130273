from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import ActionAnswer, channel_lang, client_ip, customer_name, real_exchanges, topic_button
from actions.brain_provider import BrainProvider
from actions.handoff_client import HandoffClient
from bot.brain.brain import Brain
from bot.brain.decision import Thresholds
from bot.brain.replies import reply
from tests.fixtures.brain import fixture_brain


@pytest.fixture(scope="module")
def brain(tmp_path_factory: pytest.TempPathFactory) -> Brain:
    return fixture_brain(tmp_path_factory.mktemp("index"))


def tracker(text: str, intent: str = "question", confidence: float = 0.9, **extra: Any) -> Tracker:
    message = {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": [], **extra}
    greeting = {"event": "user", "text": "hej", "parse_data": {"intent": {"name": "greet"}}}
    events = [greeting, {"event": "user", "text": text}]
    return Tracker("c1", {}, message, events, False, None, {}, "action_listen")


class FakeHandoff(HandoffClient):
    """Records tickets instead of calling the handoff service; ``down`` makes it unreachable."""

    def __init__(self, down: bool = False, refuse: bool = False) -> None:
        super().__init__("http://unused", "token")
        self.down, self.refuse = down, refuse
        self.opened: list[dict[str, Any]] = []

    async def open_ticket(self, conversation_id: str, lang: str, reasons: list[str], evidence: list[dict[str, Any]],
                          customer_name: str = "", client_ip: str = "", exchanges: int = 0) -> dict[str, Any] | None:
        if self.down:
            return None
        self.opened.append({"conversation_id": conversation_id, "lang": lang, "reasons": reasons})
        self.evidence, self.customer_name = evidence, customer_name
        self.client_ip, self.exchanges = client_ip, exchanges
        if self.refuse:
            return {"refused": "too_many_open"}
        return {"ticket": "T000001", "created": True,
                "handoff": {"state": "queued", "position": 2, "expected_wait_minutes": 10}}


async def run(brain: Brain, t: Tracker, handoff: HandoffClient | None = None) -> tuple[CollectingDispatcher, list[Any]]:
    dispatcher = CollectingDispatcher()
    events = await ActionAnswer(BrainProvider(lambda: brain), handoff or FakeHandoff()).run(dispatcher, t, {})
    return dispatcher, events


async def test_question_is_answered_from_the_faq(brain: Brain) -> None:
    dispatcher, events = await run(brain, tracker("Jak zwrócić produkt?"))
    assert dispatcher.messages[0]["text"] == brain.entries["return_howto"].answer("pl", "ty")
    assert events == [{"event": "slot", "timestamp": None, "name": "lang", "value": "pl"}]


async def test_greeting_is_answered_in_the_customers_language(brain: Brain) -> None:
    dispatcher, _ = await run(brain, tracker("hello", intent="greet"))
    assert dispatcher.messages[0]["text"].startswith("Hi! I'm Volta's assistant")


async def test_unsure_greeting_goes_to_retrieval(brain: Brain) -> None:
    dispatcher, _ = await run(brain, tracker("hej ile kosztuje dostawa", intent="greet", confidence=0.5))
    assert "14,99" in dispatcher.messages[0]["text"]


async def test_clarify_offers_quick_replies_that_answer_directly(
    brain: Brain, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(brain, "thresholds", Thresholds(answer=0.999, out_of_scope=0.0, negative=0.9))
    dispatcher, _ = await run(brain, tracker("mam pytanie o paczkę"))
    buttons = dispatcher.messages[0]["buttons"]
    assert buttons and all(b["payload"].startswith('/choose_topic{"faq_id":"') for b in buttons)


async def test_chosen_topic_is_answered_without_retrieval(brain: Brain) -> None:
    entities = [{"entity": "faq_id", "value": "delivery_cost"}]
    t = tracker('/choose_topic{"faq_id":"delivery_cost"}', intent="choose_topic", entities=entities)
    dispatcher, _ = await run(brain, t)
    assert dispatcher.messages[0]["text"] == brain.entries["delivery_cost"].answer("pl", "ty")


def test_topic_button_payload_is_rasa_intent_syntax() -> None:
    button = topic_button({"faq_id": "x", "title": "X"})
    assert button == {"title": "X", "payload": '/choose_topic{"faq_id":"x"}'}


async def test_handoff_opens_a_ticket_tells_the_place_and_pauses_the_bot(brain: Brain) -> None:
    handoff = FakeHandoff()
    dispatcher, events = await run(brain, tracker("chcę rozmawiać z człowiekiem"), handoff)
    assert handoff.opened == [{"conversation_id": "c1", "lang": "pl", "reasons": ["human_request"]}]
    [message] = dispatcher.messages
    assert "Jesteś 2. w kolejce" in message["text"] and "ok. 10 min" in message["text"]
    assert message["custom"] == {"handoff": {"state": "queued", "position": 2, "expected_wait_minutes": 10}}
    assert events[-1] == {"event": "pause", "timestamp": None}
    topics = [e for e in handoff.evidence if e["kind"] == "topic"]
    assert topics and all(e["title"] == brain.entries[e["faq_id"]].title["pl"] for e in topics)
    assert all(0.0 <= e["score"] <= 1.0 for e in topics)


async def test_handoff_without_the_queue_gives_contact_details(brain: Brain) -> None:
    dispatcher, events = await run(brain, tracker("chcę rozmawiać z człowiekiem"), FakeHandoff(down=True))
    assert "+48 22 100 20 30" in dispatcher.messages[0]["text"]
    assert all(e["event"] != "pause" for e in events)


async def test_the_ticket_carries_the_channels_address_and_the_exchanges_never_a_client_sent_name(
    brain: Brain,
) -> None:
    handoff = FakeHandoff()
    t = tracker("chcę rozmawiać z człowiekiem", metadata={"customer_name": "Prezes", "client_ip": "203.0.113.7"})
    t.events[1:1] = [{"event": "bot", "text": "Cześć!"}]  # the greeting was answered, then the customer wrote
    _, events = await run(brain, t, handoff)
    assert (handoff.customer_name, handoff.client_ip, handoff.exchanges) == ("", "203.0.113.7", 1)
    assert events[-1] == {"event": "pause", "timestamp": None}


async def test_too_many_open_tickets_from_one_address_is_told_politely_and_the_bot_goes_on(brain: Brain) -> None:
    dispatcher, events = await run(brain, tracker("chcę rozmawiać z człowiekiem"), FakeHandoff(refuse=True))
    [message] = dispatcher.messages
    assert "czeka już kilka zgłoszeń" in message["text"] and "+48 22 100 20 30" in message["text"]
    assert all(e["event"] != "pause" for e in events)


def test_real_exchanges_count_bot_answers_followed_by_the_customer() -> None:
    user, bot = {"event": "user", "text": "x"}, {"event": "bot", "text": "y"}
    assert real_exchanges([user]) == 0  # a cold first message
    assert real_exchanges([user, bot]) == 0  # answered, but the customer has not written since
    assert real_exchanges([user, bot, user, bot, user]) == 2
    assert real_exchanges([user, bot, bot, {"event": "slot"}, user, user]) == 1  # two bot lines, one reply
    assert real_exchanges([bot, user] * 20_000) == 10_000  # capped at what the handoff service takes


def test_the_client_address_is_read_only_as_a_string() -> None:
    assert client_ip({"client_ip": "2001:db8::1"}) == "2001:db8::1"
    assert client_ip({"client_ip": ["1.2.3.4"]}) == client_ip(None) == client_ip({}) == ""


async def test_attachment_is_thanked_in_the_conversations_language(brain: Brain) -> None:
    dispatcher, events = await run(brain, tracker("/attachment", intent="attachment", confidence=1.0))
    assert "załącznik" in dispatcher.messages[0]["text"] and events == []
    english = Tracker("c2", {"lang": "en"}, {"text": "/attachment", "intent": {"name": "attachment"}, "entities": []},
                      [], False, None, {}, "action_listen")
    dispatcher, _ = await run(brain, english)
    assert dispatcher.messages[0]["text"].startswith("Thanks for the attachment")


class Recorder(BrainProvider):
    """The real brain, recording the conversation the action gives it."""

    def __init__(self, brain: Brain) -> None:
        super().__init__(lambda: brain)
        self.histories: list[list[Any]] = []
        self.clients: list[str] = []

    async def decide(self, text: str, history: Any = (), client: str = "") -> Any:
        self.histories.append(list(history))
        self.clients.append(client)
        return await super().decide(text, history, client)


async def test_the_brain_sees_the_conversation_with_the_bots_decisions(brain: Brain) -> None:
    dispatcher = CollectingDispatcher()
    first, recorder = tracker("Jak zwrócić produkt?"), Recorder(brain)
    await ActionAnswer(recorder, FakeHandoff()).run(dispatcher, first, {})
    answered = dispatcher.messages[0]
    assert (answered["bot_decision"], answered["bot_faq_id"]) == ("answer", "return_howto")
    # Rasa keeps what the action added to a message as the bot event's metadata
    bot = {"event": "bot", "text": answered["text"],
           "metadata": {"bot_decision": answered["bot_decision"], "bot_faq_id": answered["bot_faq_id"]}}
    events = [*first.events, bot, {"event": "user", "text": "to nie odpowiada na moje pytanie"}]
    second = Tracker("c1", {}, {"text": "to nie odpowiada na moje pytanie", "intent": {"name": "question"},
                                "entities": []}, events, False, None, {}, "action_listen")
    await ActionAnswer(recorder, FakeHandoff()).run(CollectingDispatcher(), second, {})
    history = recorder.histories[-1]
    assert [(t.role, t.text) for t in history] == [("customer", "Jak zwrócić produkt?"), ("bot", answered["text"])]
    assert (history[1].decision, history[1].faq_id) == ("answer", "return_howto")  # the greeting is left out


async def test_the_brain_is_asked_in_the_turn_of_the_address_the_channel_saw(brain: Brain) -> None:
    recorder = Recorder(brain)
    message = {"text": "Jak zwrócić produkt?", "intent": {"name": "question"}, "entities": [],
               "metadata": {"client_ip": "198.51.100.4"}}
    seen = Tracker("web:c2", {}, message, [], False, None, {}, "action_listen")
    await ActionAnswer(recorder, FakeHandoff()).run(CollectingDispatcher(), seen, {})
    unseen = Tracker("messenger:42", {}, {**message, "metadata": {}}, [], False, None, {}, "action_listen")
    await ActionAnswer(recorder, FakeHandoff()).run(CollectingDispatcher(), unseen, {})
    assert recorder.clients == ["ip:198.51.100.4", "messenger:new"]


async def test_a_button_greeting_is_answered_in_the_channels_language(brain: Brain) -> None:
    """Messenger's Get Started arrives as /greet: no words to read, so the profile's or page's language."""
    english, _ = await run(brain, tracker("/greet", intent="greet", confidence=1.0, metadata={"lang": "en"}))
    assert english.messages[0]["text"] == reply("greet", "en", brain.register)
    polish, _ = await run(brain, tracker("/greet", intent="greet", confidence=1.0, metadata={"lang": "pl"}))
    assert polish.messages[0]["text"] == reply("greet", "pl", brain.register)
    unknown, _ = await run(brain, tracker("/greet", intent="greet", confidence=1.0))
    assert unknown.messages[0]["text"] == reply("greet", "pl", brain.register)
    typed, _ = await run(brain, tracker("cześć", intent="greet", metadata={"lang": "en"}))
    assert typed.messages[0]["text"] == reply("greet", "pl", brain.register)  # the words win


def test_channel_language_is_read_only_when_known() -> None:
    assert [channel_lang(m) for m in ({"lang": "en"}, {"lang": "de"}, {"lang": 1}, None, "en")] == \
        ["en", "pl", "pl", "pl", "pl"]


async def test_the_ticket_carries_the_name_the_messenger_channel_found(brain: Brain) -> None:
    handoff = FakeHandoff()
    t = tracker("chcę rozmawiać z człowiekiem")
    t.events[0]["metadata"] = {"customer_name": "Zofia Kowalska", "lang": "pl"}
    t.events[1]["metadata"] = {"lang": "pl"}  # a later message without the profile (it failed meanwhile)
    await run(brain, t, handoff)
    assert handoff.customer_name == "Zofia Kowalska"


def test_the_latest_usable_name_is_taken() -> None:
    events: list[dict[str, Any]] = [
        {"event": "user", "metadata": {"customer_name": "Old Name"}},
        {"event": "bot", "metadata": {"customer_name": "Not a customer"}},
        {"event": "user", "metadata": {"customer_name": "N" * 81}},
        {"event": "user", "metadata": {"customer_name": "Ewa Nowak"}},
        {"event": "user", "metadata": {"customer_name": 7}},
    ]
    assert customer_name(events) == "Ewa Nowak"
    assert customer_name(events[:3]) == "Old Name"
    assert customer_name([{"event": "user"}]) == ""
