import json

import pytest

from bot.rasa_side.channels.messenger_protocol import (
    ATTACHMENT_INTENT,
    GREET_INTENT,
    MAX_BODY_BYTES,
    MAX_TEXT_CHARS,
    Inbound,
    OutsideWindow,
    PayloadError,
    messaging_fields,
    parse_webhook,
    psid_of,
    rasa_text,
    send_api_messages,
    sender_actions_allowed,
    sign,
    signature_valid,
    split_text,
    subscription_challenge,
)

SECRET = "app-secret"


def body(*events: dict[str, object]) -> bytes:
    return json.dumps({"object": "page", "entry": [{"id": "1", "time": 1, "messaging": list(events)}]}).encode()


def test_signature_is_hmac_sha256_of_the_raw_body() -> None:
    raw = body({"sender": {"id": "7"}, "message": {"mid": "m1", "text": "cześć"}})
    assert signature_valid(SECRET, raw, sign(SECRET, raw))
    assert signature_valid(SECRET, raw, sign(SECRET, raw).upper().replace("SHA256=", "sha256="))
    assert not signature_valid(SECRET, raw + b" ", sign(SECRET, raw))
    assert not signature_valid("other-secret", raw, sign(SECRET, raw))
    assert not signature_valid(SECRET, raw, None)
    assert not signature_valid(SECRET, raw, "sha1=" + sign(SECRET, raw)[7:])


def test_subscription_challenge_needs_mode_and_token() -> None:
    params = {"hub.mode": "subscribe", "hub.verify_token": "tok", "hub.challenge": "42"}
    assert subscription_challenge(params, "tok") == "42"
    assert subscription_challenge({**params, "hub.verify_token": "nope"}, "tok") is None
    assert subscription_challenge({**params, "hub.mode": "unsubscribe"}, "tok") is None
    assert subscription_challenge(params, "") is None  # no token configured: never verified


def test_text_quick_reply_postback_and_attachment_events() -> None:
    events = parse_webhook(body(
        {"sender": {"id": "7"}, "timestamp": 5, "message": {"mid": "m1", "text": "Jak zwrócić towar?"}},
        {"sender": {"id": "7"}, "message": {"mid": "m2", "text": "Zwroty", "quick_reply": {"payload": "/x"}}},
        {"sender": {"id": "7"}, "postback": {"title": "Start", "payload": "GET_STARTED", "mid": "m3"}},
        {"sender": {"id": "7"}, "message": {"mid": "m4", "attachments": [{"type": "image"}]}},
        {"sender": {"id": "7"}, "message": {"mid": "m5", "sticker_id": 369239263222822}},
    ))
    assert [(e.kind, e.event_id, e.text, e.title) for e in events] == [
        ("text", "m1", "Jak zwrócić towar?", "Jak zwrócić towar?"),
        ("quick_reply", "m2", "/x", "Zwroty"),
        ("postback", "m3", "GET_STARTED", "Start"),
        ("attachment", "m4", "", ""),
        ("attachment", "m5", "", ""),
    ]
    assert events[0].sender_id == "messenger:7" and events[0].timestamp_ms == 5
    assert Inbound.from_json(events[0].to_json()) == events[0]


def test_postbacks_without_mid_get_a_stable_id() -> None:
    event = {"sender": {"id": "7"}, "timestamp": 9, "postback": {"title": "Start", "payload": "GET_STARTED"}}
    first, again = parse_webhook(body(event)), parse_webhook(body(event))
    assert first[0].event_id == again[0].event_id and first[0].event_id.startswith("postback:")


def test_echoes_receipts_and_reactions_are_skipped() -> None:
    assert parse_webhook(body(
        {"sender": {"id": "7"}, "message": {"mid": "m1", "text": "our own", "is_echo": True}},
        {"sender": {"id": "7"}, "delivery": {"mids": ["m1"], "watermark": 1}},
        {"sender": {"id": "7"}, "read": {"watermark": 1}},
        {"sender": {"id": "7"}, "reaction": {"mid": "m1", "action": "react", "emoji": "👍"}},
    )) == []


@pytest.mark.parametrize(
    ("raw", "status", "message"),
    [
        (b"\xff\xfe", 400, "not JSON"),
        (b"[]", 400, "JSON object"),
        (b'{"object": "user", "entry": []}', 400, "unsupported object"),
        (b'{"object": "page"}', 400, "body.entry"),
        (b'{"object": "page", "entry": {}}', 400, "must be a list"),
        (b'{"object": "page", "entry": [{}]}', 400, "entry[0].messaging"),
        (b'{"object": "page", "entry": [{"messaging": [{"message": {"mid": "m", "text": "x"}}]}]}', 400, "sender"),
        (b'{"object": "page", "entry": [{"messaging": [{"sender": {"id": "7"}, "message": {"text": "x"}}]}]}',
         400, "mid"),
        (b'{"object": "page", "entry": [{"messaging": [{"sender": {"id": "7"}, "message": {"mid": "m"}}]}]}',
         400, "neither text"),
        (b" " * (MAX_BODY_BYTES + 1), 413, "larger than"),
    ],
)
def test_bad_payloads_are_rejected_whole(raw: bytes, status: int, message: str) -> None:
    with pytest.raises(PayloadError, match=message.replace("[", r"\[").replace("]", r"\]")) as caught:
        parse_webhook(raw)
    assert caught.value.status == status


def test_one_bad_event_rejects_the_batch() -> None:
    good = {"sender": {"id": "7"}, "message": {"mid": "m1", "text": "hej"}}
    with pytest.raises(PayloadError):
        parse_webhook(body(good, {"message": {"mid": "m2", "text": "no sender"}}))


def test_human_agent_tag_only_for_a_persons_reply_from_24_hours_to_7_days() -> None:
    now, day = 1_800_000_000.0, 24 * 3600
    for by_person in (False, True):
        assert messaging_fields(None, now, by_person) == {"messaging_type": "RESPONSE"}
        assert messaging_fields(now - 23 * 3600, now, by_person) == {"messaging_type": "RESPONSE"}
    assert messaging_fields(now - 25 * 3600, now, by_person=True) == {"messaging_type": "MESSAGE_TAG",
                                                                       "tag": "HUMAN_AGENT"}
    assert messaging_fields(now - 7 * day + 60, now, by_person=True)["tag"] == "HUMAN_AGENT"
    with pytest.raises(OutsideWindow, match="only a person's reply"):
        messaging_fields(now - 25 * 3600, now)  # the bot's own message, a queue update
    for by_person in (False, True):
        with pytest.raises(OutsideWindow, match="7-day window"):
            messaging_fields(now - 8 * day, now, by_person)


def test_seen_and_typing_only_inside_24_hours() -> None:
    now = 1_800_000_000.0
    assert sender_actions_allowed(None, now) and sender_actions_allowed(now - 3600, now)
    assert not sender_actions_allowed(now - 25 * 3600, now)


def test_long_text_is_split_at_breaks() -> None:
    text = ("Zdanie numer jeden. " * 150).strip()
    parts = split_text(text)
    assert len(parts) == 2 and all(len(p) <= MAX_TEXT_CHARS for p in parts)
    assert " ".join(parts) == text
    assert split_text("x" * 4500) == ["x" * 2000, "x" * 2000, "x" * 500]


def test_buttons_become_quick_replies_with_numbered_titles_when_long() -> None:
    short = send_api_messages("Chodzi o?", [{"title": "Zwroty", "payload": "/a"}])
    assert short == [{"text": "Chodzi o?", "quick_replies": [
        {"content_type": "text", "title": "Zwroty", "payload": "/a"}]}]
    [long] = send_api_messages("Chodzi o?", [{"title": "Usunięcie konta i danych (RODO)", "payload": "/a"},
                                             {"title": "Koszt dostawy", "payload": "/b"}])
    assert long["text"] == "Chodzi o?\n\n1. Usunięcie konta i danych (RODO)\n2. Koszt dostawy"
    assert [q["title"] for q in long["quick_replies"]] == ["1. Usunięcie konta…", "2. Koszt dostawy"]
    assert all(len(q["title"]) <= 20 for q in long["quick_replies"])


def test_psid_of_conversation_id() -> None:
    assert psid_of("messenger:123") == "123"
    for bad in ("web:123", "messenger:", "123"):
        with pytest.raises(ValueError):
            psid_of(bad)


def test_what_rasa_is_given() -> None:
    def event(kind: str, text: str, title: str = "") -> Inbound:
        return Inbound(kind, "7", "m", text, title, 1)

    assert rasa_text(event("text", "jak zwrócić?", "jak zwrócić?")) == "jak zwrócić?"
    assert rasa_text(event("quick_reply", '/choose_topic{"faq_id":"x"}', "Zwroty")) == '/choose_topic{"faq_id":"x"}'
    assert rasa_text(event("postback", "GET_STARTED", "Zaczynamy")) == "Zaczynamy"
    assert rasa_text(event("postback", "GET_STARTED", "Zaczynamy"), "GET_STARTED") == GREET_INTENT
    assert rasa_text(event("postback", "START_HERE", "Start"), "START_HERE") == GREET_INTENT
    assert rasa_text(event("postback", "RETURN_HOWTO", "Zwroty"), "GET_STARTED") == "Zwroty"
    assert rasa_text(event("text", "GET_STARTED", "GET_STARTED"), "GET_STARTED") == "GET_STARTED"  # typed: text
    assert rasa_text(event("attachment", "")) == ATTACHMENT_INTENT
