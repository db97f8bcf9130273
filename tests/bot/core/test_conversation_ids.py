import uuid

import pytest

from bot.core.conversation_ids import (
    REST_ID_MAX_LENGTH,
    channel_of,
    check_conversation_id,
    valid_conversation_id,
    valid_messenger_id,
    valid_rest_id,
    valid_web_id,
)


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


def test_every_channel_form_is_a_valid_conversation_id() -> None:
    for good in (f"web:{uuid.uuid4()}", "messenger:2837461928374", "t1", "rest-abc", "conv_000001",
                 "a.b-c_D9", "x" * REST_ID_MAX_LENGTH):
        assert valid_conversation_id(good), good
        assert check_conversation_id(good) == good


def test_ids_outside_the_three_forms_are_refused() -> None:
    bad_ids = ("", "x" * (REST_ID_MAX_LENGTH + 1), "t1:tickets", f"web:{uuid.uuid4()}:tickets",
               "messenger:abc", "messenger:", "web:123", "a b", "zażółć", "t1\n", "\nt1", "a/b", None, 7, ["t1"])
    for bad in bad_ids:
        assert not valid_conversation_id(bad), bad
        with pytest.raises(ValueError, match="invalid conversation id"):
            check_conversation_id(bad)


def test_a_trailing_newline_does_not_slip_through() -> None:
    assert not valid_web_id(f"web:{uuid.uuid4()}\n")
    assert not valid_messenger_id("messenger:123\n")
    assert not valid_rest_id("t1\n")


def test_comment_ids_are_comment_and_metas_comment_id() -> None:
    from bot.core.conversation_ids import valid_comment_id

    for good in ("comment:444444444_555555555", "comment:123", "comment:1_2_3"):
        assert valid_comment_id(good) and valid_conversation_id(good) and channel_of(good) == "comment", good
    for bad in ("comment:", "comment:_1", "comment:1_", "comment:1__2", "comment:1:tickets", "comment:1_2_3_4",
                "comment:12a", "comment:1\n", "comment:" + "1" * 33, None):
        assert not valid_comment_id(bad) and not valid_conversation_id(bad), bad
    assert check_conversation_id("comment:1_2") == "comment:1_2"
