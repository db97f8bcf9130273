import uuid

from bot.core.conversation_ids import channel_of, valid_web_id


def test_widget_ids_are_web_and_a_random_uuid() -> None:
    good = f"web:{uuid.uuid4()}"
    assert valid_web_id(good)
    for bad in (good.upper(), f"web:{uuid.uuid1()}", "web:123", "messenger:123", f"x{good}", None, 7):
        assert not valid_web_id(bad), bad


def test_channel_is_read_from_the_id() -> None:
    assert channel_of(f"web:{uuid.uuid4()}") == "webchat"
    assert channel_of("messenger:2837461928374") == "messenger"
    assert channel_of("rest-abc") == "rest"
    assert channel_of("messenger:abc") == "rest"
