from bot.rasa_side.channels.commands import LOOKALIKE_SLASH, customer_text


def test_our_buttons_pass_as_commands() -> None:
    assert customer_text('/choose_topic{"faq_id":"return_howto"}') == '/choose_topic{"faq_id":"return_howto"}'
    assert customer_text("/attachment", internal=frozenset({"/attachment"})) == "/attachment"


def test_typed_commands_are_only_text() -> None:
    for typed in ("/restart", " /restart", "/session_start", '/choose_topic{"faq_id":"x"} i jeszcze',
                  "/attachment", '/greet{"name":"x"}'):
        changed = customer_text(typed)
        assert not changed.strip().startswith("/") and LOOKALIKE_SLASH in changed, typed


def test_ordinary_text_is_untouched() -> None:
    for text in ("jak zwrócić produkt?", "50/50 szans", "http://x.pl/a", ""):
        assert customer_text(text) == text
