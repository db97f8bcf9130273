"""Third-party widgets' side of Rasa's socket.io protocol (bot/rasa_side/channels/rasa_protocol.py)."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.asyncio as aioredis

from bot.core.conversation_ids import valid_web_id
from bot.rasa_side.channels.rasa_protocol import (
    MAX_CUSTOM_DATA_BYTES,
    custom_data_too_large,
    message_metadata,
    session_to_open,
)
from bot.rasa_side.limits import RateLimits
from bot.rasa_side.settings import Limits

MINE = "web:0b7e1f6c-3d2a-4c1e-9f5b-2a6d8c4e1f30"
IP = "198.51.100.7"


@pytest.mark.parametrize("requested", [None, "", "web:not-a-uuid", "a b", 42, ["web:x"], {"id": 1}, "x" * 200,
                                       "WEB:0B7E1F6C-3D2A-4C1E-9F5B-2A6D8C4E1F30", "rest-id_1.0",
                                       "3f2a9c0e4b1d4e6f8a7b5c3d2e1f0a9b"])
def test_no_id_or_an_id_of_no_known_form_gets_a_new_server_made_one(requested: Any) -> None:
    made = session_to_open(requested, None)
    assert valid_web_id(made)
    assert session_to_open(requested, None) != made  # random each time


def test_a_widget_id_is_kept_and_a_null_keeps_the_sockets_conversation() -> None:
    assert session_to_open(MINE, None) == MINE
    assert session_to_open(None, MINE) == MINE  # a second session_request on the same socket


@pytest.mark.parametrize("requested", ["messenger:1234567890", "comment:123_456", "comment:abc", "telegram:1"])
def test_another_channels_id_is_refused(requested: str) -> None:
    assert session_to_open(requested, None) is None
    assert session_to_open(requested, MINE) is None


def test_custom_data_language_becomes_lang_and_page_is_kept() -> None:
    message = {"customData": {"language": "pl-PL", "page": "https://shop.example/p/1", "customer_name": "Admin"}}
    assert message_metadata(message, IP, 512) == {"client_ip": IP, "lang": "pl", "page": "https://shop.example/p/1"}
    assert message_metadata({"customData": {"lang": "EN"}}, IP, 512) == {"client_ip": IP, "lang": "en"}
    assert message_metadata({"customData": {"language": "de", "client_ip": "1.2.3.4"}}, IP, 512) == {"client_ip": IP}


def test_metadata_wins_over_custom_data_where_both_carry_a_valid_field() -> None:
    message = {"metadata": {"lang": "en", "page": "javascript:x"},
               "customData": {"language": "pl", "page": "https://shop.example/"}}
    assert message_metadata(message, IP, 512) == {"client_ip": IP, "lang": "en", "page": "https://shop.example/"}


@pytest.mark.parametrize("custom", [None, "pl", 7, ["language", "pl"]])
def test_odd_custom_data_is_dropped(custom: Any) -> None:
    assert message_metadata({"customData": custom}, IP, 512) == {"client_ip": IP}


def test_custom_data_over_the_cap_is_too_large() -> None:
    at_cap = {"page": "x" * (MAX_CUSTOM_DATA_BYTES - len('{"page": ""}'))}
    assert not custom_data_too_large({"customData": at_cap})
    over = {"page": at_cap["page"] + "x"}
    assert custom_data_too_large({"customData": over})
    assert not custom_data_too_large({"metadata": over})  # reduced to the known fields, as before
    assert custom_data_too_large({"customData": {"language": "ł" * (MAX_CUSTOM_DATA_BYTES // 2)}})  # bytes, not chars
    assert not custom_data_too_large({"message": "x" * 10_000})  # the text has its own cap


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    c = aioredis.from_url(redis_url)
    yield c
    await c.aclose()


async def test_server_made_ids_count_against_the_ips_new_conversations(client: aioredis.Redis) -> None:
    # the channel asks RateLimits.opening for the id session_to_open gave, made here or not
    limits = RateLimits(client, Limits(new_conversations_per_ip_per_hour=2))
    opened = [session_to_open(None, None) for _ in range(3)]
    assert [await limits.opening(IP, str(i)) for i in opened[:2]] == [None, None]
    refusal = await limits.opening(IP, str(opened[2]))
    assert refusal is not None and refusal.code == "new_conversations"
    assert await limits.opening(IP, str(opened[0])) is None  # a reconnect to a server-made id is no new one
