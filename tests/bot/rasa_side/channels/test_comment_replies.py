"""What the bot and the moderators send to a comment conversation (plain decisions)."""

from bot.rasa_side.channels.comment_replies import Pushed, TurnPlan, line, one_message, plan_pushed, plan_turn
from bot.rasa_side.channels.messenger_protocol import MAX_TEXT_CHARS

QUEUED = {"handoff": {"state": "queued", "position": 3, "expected_wait_minutes": 12}}


def test_a_routine_answer_goes_privately_with_its_buttons() -> None:
    plan = plan_turn([{"text": "Zwroty przyjmujemy 30 dni.", "bot_decision": "answer", "timestamp": 1.0}])
    assert plan == TurnPlan({"text": "Zwroty przyjmujemy 30 dni."}, "Zwroty przyjmujemy 30 dni.", False)
    buttons = [{"title": "Dostawa", "payload": '/choose_topic{"faq_id":"delivery_cost"}'}]
    clarify = plan_turn([{"text": "O co chodzi?", "buttons": buttons}])
    assert clarify.private == {"text": "O co chodzi?", "quick_replies": [
        {"content_type": "text", "title": "Dostawa", "payload": '/choose_topic{"faq_id":"delivery_cost"}'}]}


def test_a_turns_messages_are_joined_into_the_one_private_reply() -> None:
    plan = plan_turn([{"text": "Cześć!"}, {"text": "Zwroty przyjmujemy 30 dni."}, {"custom": {"other": 1}}])
    assert plan.private == {"text": "Cześć!\n\nZwroty przyjmujemy 30 dni."} and not plan.tell_handoff


def test_a_handoff_is_told_publicly_and_its_queue_position_never() -> None:
    plan = plan_turn([{"text": "Jesteś trzeci w kolejce, około 12 minut.", "custom": QUEUED}])
    assert plan == TurnPlan(None, "", True)


def test_a_long_answer_is_cut_to_one_message() -> None:
    message = one_message("słowo " * 600, [{"title": "Tak", "payload": "/affirm"}])
    assert message is not None
    assert len(message["text"]) <= MAX_TEXT_CHARS and message["text"].endswith("…")
    assert message["quick_replies"][0]["title"] == "Tak"
    assert one_message("  ", None) is None


def test_a_moderators_reply_keeps_its_visibility_and_status_lines_stay_out() -> None:
    assert plan_pushed({"text": "Sprawdzam.\n— Anna", "moderator": "anna"}) == Pushed("Sprawdzam.\n— Anna", False)
    assert plan_pushed({"text": "Numer?", "visibility": "private"}) == Pushed("Numer?", True)
    assert plan_pushed({"text": "Anna dołącza do rozmowy.", "custom": {"handoff": {"state": "human"}}}) is None
    assert plan_pushed({"text": None, "custom": QUEUED}) is None


def test_public_lines_in_the_comments_language() -> None:
    assert line("moved", "pl") == "Odpowiedzieliśmy w wiadomości prywatnej 📩"
    assert line("moved", "en").startswith("We've replied") and line("person", "de") == line("person", "pl")
