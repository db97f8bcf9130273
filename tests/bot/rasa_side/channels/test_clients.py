"""Who sent a message and what of the client's metadata is kept (bot/rasa_side/channels/clients.py)."""

from bot.rasa_side.channels.clients import client_ip, customer_metadata

PROXY = frozenset({"10.0.0.5"})


def test_without_a_trusted_proxy_the_socket_peer_is_the_client() -> None:
    assert client_ip("198.51.100.7", ["203.0.113.9"], frozenset()) == "198.51.100.7"
    assert client_ip("198.51.100.7", ["203.0.113.9"], PROXY) == "198.51.100.7"  # peer is no proxy: header ignored
    assert client_ip(None, [], frozenset()) == ""


def test_behind_a_trusted_proxy_the_hop_it_added_is_the_client() -> None:
    assert client_ip("10.0.0.5", ["203.0.113.9"], PROXY) == "203.0.113.9"
    assert client_ip("10.0.0.5", [], PROXY) == "10.0.0.5"  # the proxy itself, e.g. a health check
    assert client_ip("::ffff:10.0.0.5", ["203.0.113.9"], PROXY) == "203.0.113.9"  # a dual-stack socket's spelling


def test_a_forwarded_for_sent_by_the_client_is_not_believed() -> None:
    # HAProxy appends the real address after what the client sent: read from the right
    assert client_ip("10.0.0.5", ["1.2.3.4, 203.0.113.9"], PROXY) == "203.0.113.9"
    assert client_ip("10.0.0.5", ["1.2.3.4", "203.0.113.9"], PROXY) == "203.0.113.9"
    assert client_ip("10.0.0.5", ["203.0.113.9, 10.0.0.5"], PROXY) == "203.0.113.9"  # two trusted hops
    assert client_ip("10.0.0.5", ["1.2.3.4, not-an-ip"], PROXY) == "10.0.0.5"


def test_metadata_keeps_small_known_fields_and_the_server_set_ip() -> None:
    sent = {"lang": "en", "page": "https://shop.example/p/1", "customer_name": "Admin <b>",
            "client_ip": "127.0.0.1", "blob": "x" * 100_000}
    assert customer_metadata(sent, "198.51.100.7", 512) == {
        "client_ip": "198.51.100.7", "lang": "en", "page": "https://shop.example/p/1"}


def test_odd_metadata_is_dropped_not_refused() -> None:
    assert customer_metadata(None, "", 512) == {"client_ip": ""}
    assert customer_metadata(["lang"], "1.2.3.4", 512) == {"client_ip": "1.2.3.4"}
    odd = {"lang": "de", "page": "javascript:alert(1)"}
    assert customer_metadata(odd, "1.2.3.4", 512) == {"client_ip": "1.2.3.4"}
    long_page = {"page": "https://shop.example/" + "a" * 600, "lang": 7}
    assert customer_metadata(long_page, "1.2.3.4", 512) == {"client_ip": "1.2.3.4"}
