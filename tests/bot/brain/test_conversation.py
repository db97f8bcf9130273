import re

import pytest

from bot.brain.conversation import BOT, CUSTOMER, MAX_CHARS, HistoryError, Turn, context_of, parse_history, prepared


def test_strings_are_earlier_customer_messages_and_turns_keep_what_the_bot_decided() -> None:
    turns = parse_history(["gdzie paczka?", {"role": "bot", "text": "Sprawdź status…", "decision": "answer",
                                             "faq_id": "order_status"}])
    assert turns == [Turn(CUSTOMER, "gdzie paczka?"), Turn(BOT, "Sprawdź status…", "answer", "order_status")]


@pytest.mark.parametrize(
    ("item", "field"),
    [({"role": "agent", "text": "x"}, "history[0].role"), ({"role": "bot"}, "history[0].text"),
     ({"role": "bot", "text": "x", "decision": "maybe"}, "history[0].decision"),
     ({"role": "bot", "text": "x", "faq_id": 7}, "history[0].faq_id"), (42, "history[0]")],
)
def test_a_bad_turn_is_an_error_naming_the_field(item: object, field: str) -> None:
    with pytest.raises(HistoryError, match="^" + re.escape(field)):
        parse_history([item])


def test_the_context_knows_the_last_answer_and_an_earlier_clarification() -> None:
    context = context_of([Turn(CUSTOMER, "raty?"), Turn(BOT, "Które?", "clarify"), Turn(CUSTOMER, "na laptopa"),
                          Turn(BOT, "Raty…", "answer", "installments")])
    assert context.customer_texts == ("raty?", "na laptopa")
    assert context.last_bot == Turn(BOT, "Raty…", "answer", "installments")
    assert context.clarified_before
    assert context_of([Turn(CUSTOMER, "hej")]).last_bot is None  # the bot's reply, not the customer's


def test_earlier_customer_messages_are_read_as_the_brain_reads_a_message() -> None:
    turns = [Turn(CUSTOMER, "  gdzie moja paczka?\n"), Turn(BOT, "Sprawdź status.", "answer", "order_status"),
             Turn(CUSTOMER, "x" * 3000)]
    context = context_of(turns)
    assert context.customer_texts == (prepared("  gdzie moja paczka?\n"), "x" * MAX_CHARS)
    assert context.customer_texts[0] == "gdzie moja paczka?"  # the text decided then, so its cached reading
