"""Script injection through customer text, in a real browser against the real stack.

Customers send a battery of hostile payloads through the real channels (Rasa's REST channel and signed
Messenger webhooks, with a hostile postback title) and ask for a person. A name never comes from the
client (the channels drop a ``customer_name`` in its metadata), so the REST customer's hostile name comes
the one way left on the server side: the action server's own ticket request (``POST /internal/tickets``
with the service token), as a channel that knows names (Messenger's profile) will give them. A moderator
whose display name is hostile too works the tickets in the console: the queue, the ticket page, a
suggestion, a note, tags, replies, a refused transfer, the stats page and the admin's review of proposals
from archived chats; a widget customer reads the moderator's reply. On every page: no dialog, no
``window.__pwned``, no element made from a payload, and every payload shown literally. The console's pages
send a CSP that forbids inline script, and requests the services refuse leave nothing behind.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
import redis
import redis.asyncio as aioredis
from playwright.sync_api import Browser, Locator, Page, expect

from bot.core import keys
from bot.rasa_side.channels.messenger_protocol import sign
from bot.rasa_side.settings import MAX_MESSAGE_CHARS
from handoff.accounts import Accounts, Role
from handoff.errors import Conflict
from handoff.internal import MAX_NAME_CHARS
from tests.browser.conftest import polish_page
from tests.browser.test_console import ConsoleApi, _create_accounts, _run, queue_row, sign_in
from tests.browser.test_widget import Widget
from tests.integration.test_messenger import event, inbox_length, payload, psid, text_event
from tests.stack import MESSENGER_SECRET, Stack

pytestmark = pytest.mark.integration

PAYLOADS = [
    "<script>window.__pwned=1</script>",
    '<img src=x onerror="window.__pwned=1">',
    "<svg/onload=window.__pwned=1>",
    '"><iframe srcdoc="<script>parent.__pwned=1</script>">',
    "javascript:window.__pwned=1",
    "{{constructor.constructor('window.__pwned=1')()}}",
    "</textarea><script>window.__pwned=1</script>",
    "<style>body{display:none}</style>",
    "<img src=x onerror=alert(document.domain)>",
    "Zwrot \u202edetatnuoccA\u202c proszę",  # a right-to-left override, then pop directional formatting
    "kon\u200bsul\u200ctant\u200d\u2060\ufeffka",  # zero-width space, non-joiner, joiner, word joiner, BOM
    "Zażółć gęślą jaźń 😡🙈 ĄĆĘŁŃÓŚŹŻ",
]
LONG_LINE = ("Jedna długa linia bez spacji: " + "żółw" * 1000)[:4000]
LONG_MESSAGE = LONG_LINE[:MAX_MESSAGE_CHARS]  # the longest a channel takes from a customer
ASK = "Chcę rozmawiać z konsultantem "  # the customer asks for a person: a ticket
QUESTION = "Gdzie jest moja paczka? Zamówienie nie dotarło {{constructor.constructor('window.__pwned=1')()}}"
# U+202E left open. Two words: a third trips the archive's name redaction (bot.learning.redact: "Input contains
# more than one word"), which stops the archiver for every conversation.
CUSTOMER_NAME = 'Zofia "><svg/onload=window.__pwned=1>\u202eakswolwoK'
# What the bot found, as the action server sends it; a title can be a customer's question (the miner's new entries).
EVIDENCE = [{"faq_id": "delivery_time", "title": f"{PAYLOADS[1]} Czas dostawy", "score": 0.42, "kind": "topic"}]
MALLORY = ("mallory", 'Mal "><img src=x onerror=window.__pwned=1>', "mallory-console-password")
REPLY = ("Odpowiedź konsultanta: <script>window.__pwned=1</script> <img src=x onerror=\"window.__pwned=1\"> "
         "javascript:window.__pwned=1 https://volta.example/zwroty?x=\"><svg/onload=window.__pwned=1> "
         "</textarea><b>pogrubione?</b> Zażółć 😡 \u202ez\u202c")
NOTE = "\n".join(PAYLOADS)
TAGS = ["<img src=x onerror=window.__pwned=1>", "<svg/onload=window.__pwned=1>",
        "<script>window.__pwned=1</script>", "javascript:window.__pwned=1", "zażółć 😡"]
TOO_LONG_TAG = "<img src=x onerror=window.__pwned=1>" * 2
HOSTILE_LOGIN = "<img src=x onerror=alert(document.domain)>"
# What a payload could make; the pages themselves have none (Playwright's CSS reaches into shadow roots).
FOREIGN = ('img[src="x"], [onerror], [onload], [srcdoc], iframe, object, embed, script:not([src]), body style, '
           'b, a[href^="javascript:"], a[href^="JAVASCRIPT:"]')
DELIVERY_TIMEOUT_MS = 30_000
WAIT_SECONDS = 30.0


async def _create_mallory(redis_url: str) -> None:
    client = aioredis.from_url(redis_url, decode_responses=True)
    accounts = Accounts(client)
    login, name, password = MALLORY
    try:
        await accounts.create(login, name, Role.ADMIN, password)
    except Conflict:  # made by an earlier run on this Redis
        await accounts.set_password(login, password)
    finally:
        await client.aclose()


@pytest.fixture(scope="module")
def accounts(stack: Stack) -> None:
    _run(_create_accounts(stack.redis_url))  # test_console's, for setting up and tidying up
    _run(_create_mallory(stack.redis_url))


@pytest.fixture
def moderator(chromium: Browser, stack: Stack, accounts: None) -> Iterator[Page]:
    """The console signed in as Mallory, an admin with a hostile display name."""
    with polish_page(chromium, 1366, 900, "the console", no_dialogs=True) as page:
        sign_in(page, stack.handoff_url, MALLORY[0], MALLORY[2])
        expect(page).to_have_url(f"{stack.handoff_url}/")
        yield page


@pytest.fixture(scope="module")
def opened(stack: Stack, accounts: None) -> Iterator[list[str]]:
    """Tickets this module opened through a channel; the ones still open are closed at its end."""
    tickets: list[str] = []
    yield tickets
    admin = ConsoleApi(stack.handoff_url, "szef")
    for ticket_id in tickets:
        try:
            admin.call("POST", f"/api/tickets/{ticket_id}/resolve")
        except urllib.error.HTTPError as e:
            e.close()
            assert e.code == 409, f"closing {ticket_id}: {e.code}"  # closed by a test


@pytest.fixture(scope="module")
def rest_ticket(stack: Stack, opened: list[str]) -> tuple[str, list[str]]:
    """A REST conversation handed to people with a hostile name by the action server's own request, then
    the customer writes every payload; (ticket, messages). Their first message starts the session, whose
    action finds the open ticket and pauses the bot: every message lands on that ticket, the bot says nothing."""
    sender = f"inj-rest-{uuid.uuid4().hex[:12]}"
    status, answer = ask_for_ticket(stack, sender, CUSTOMER_NAME)
    assert status == 201 and answer["created"], answer
    opened.append(answer["ticket"])
    said = [ASK + PAYLOADS[1], LONG_MESSAGE, *PAYLOADS[:1], *PAYLOADS[2:], QUESTION]
    for text in said:
        assert rest_says(stack, sender, text) == []  # the bot is silent while people own the conversation
    assert owner(stack, sender) == {"owner": "queue", "ticket": answer["ticket"]}  # no second ticket
    # The page asks the action server for suggestions once, with a short timeout: wait until the brain has
    # worked off the messages' prefetches, so the first load shows them.
    api = ConsoleApi(stack.handoff_url, "szef")
    poll(lambda: api.call("GET", f"/api/tickets/{answer['ticket']}")["suggestions"], "suggestions")
    return answer["ticket"], said


# -- checks ----------------------------------------------------------------------------------------


def assert_inert(page: Page, where: Locator, shown: list[str]) -> None:
    """No payload ran or made an element, the page is visible, and ``where`` shows every text of ``shown``
    literally (its innerText: what is rendered, not only what the DOM holds)."""
    assert page.evaluate("typeof window.__pwned") == "undefined", f"a payload ran on {page.url}"
    made = page.locator(FOREIGN)
    assert made.count() == 0, f"made from payloads on {page.url}: {made.evaluate_all('ns => ns.map(n => n.outerHTML)')}"
    expect(page.locator("body")).to_be_visible()
    text = where.inner_text()
    missing = [s[:80] for s in shown if s not in text]
    assert not missing, f"not shown literally on {page.url}: {missing}"


def fits_the_window(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def in_reading_order(first: Locator, then: Locator) -> bool:
    """Whether ``then`` is drawn after ``first``: a U+202E left open in ``first`` must not reorder what follows."""
    a, b = first.bounding_box(), then.bounding_box()
    assert a is not None and b is not None
    return b["x"] >= a["x"] + a["width"] - 1


def stored_events(stack: Stack, conversation_id: str) -> int:
    """How many events Rasa's tracker store holds for the conversation."""
    client = redis.Redis.from_url(stack.redis_url)
    try:
        return int(client.llen(keys.TrackerKeys().events(conversation_id)))
    finally:
        client.close()


# -- the channels and the services -----------------------------------------------------------------


def rest_post(stack: Stack, body: dict[str, Any]) -> list[dict[str, Any]]:
    request = urllib.request.Request(f"{stack.rasa_url}/webhooks/rest/webhook", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=60) as response:
        answers: list[dict[str, Any]] = json.loads(response.read())
        return answers


def rest_says(stack: Stack, sender: str, text: str, name: str | None = None) -> list[dict[str, Any]]:
    """A customer message through Rasa's REST channel (``name`` in its metadata, which the channel drops);
    the bot's answers."""
    metadata = {} if name is None else {"metadata": {"customer_name": name}}
    return rest_post(stack, {"sender": sender, "message": text, **metadata})


def messenger_post(stack: Stack, body: bytes, secret: str = MESSENGER_SECRET) -> int:
    request = urllib.request.Request(
        f"{stack.rasa_url}/webhooks/messenger/webhook", data=body, method="POST",
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(secret, body)})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as e:
        e.close()
        return e.code


def ask_for_ticket(stack: Stack, conversation_id: str, name: str) -> tuple[int, dict[str, Any]]:
    """The action server's request for a person, with a customer's name as a channel would give it;
    (status, answer)."""
    body = {"conversation_id": conversation_id, "lang": "pl", "reasons": ["human_request"], "evidence": EVIDENCE,
            "customer_name": name, "client_ip": "", "exchanges": 1}
    request = urllib.request.Request(f"{stack.handoff_url}/internal/tickets", data=json.dumps(body).encode(),
                                     method="POST", headers={"Content-Type": "application/json",
                                                             "Authorization": f"Bearer {stack.service_token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status), dict(json.loads(response.read()))
    except urllib.error.HTTPError as e:
        answer = dict(json.loads(e.read()))
        e.close()
        return e.code, answer


def user_metadata(stack: Stack, conversation_id: str) -> list[dict[str, Any]]:
    """The metadata of every customer message Rasa's tracker store holds for the conversation."""
    client = redis.Redis.from_url(stack.redis_url)
    try:
        events = [json.loads(e) for e in client.lrange(keys.TrackerKeys().events(conversation_id), 0, -1)]
    finally:
        client.close()
    return [e.get("metadata") or {} for e in events if e.get("event") == "user"]


def owner(stack: Stack, conversation_id: str) -> dict[str, Any]:
    request = urllib.request.Request(f"{stack.handoff_url}/internal/conversations/{quote(conversation_id, safe='')}",
                                     headers={"Authorization": f"Bearer {stack.service_token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        answer: dict[str, Any] = json.loads(response.read())
        return answer


def poll(check: Any, what: str) -> Any:
    """``check()`` until it gives something truthy, for at most WAIT_SECONDS."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"{what}: not after {WAIT_SECONDS} s")


def ticket_of(stack: Stack, conversation_id: str) -> str:
    """The conversation's open ticket, once there is one (Messenger's inbox is worked off asynchronously)."""
    return str(poll(lambda: owner(stack, conversation_id)["ticket"], f"a ticket for {conversation_id}"))


def wait_customer_turns(stack: Stack, ticket_id: str, count: int) -> None:
    """Until the ticket's conversation holds ``count`` customer messages, so a page opened now shows them all
    on its first load (a later one would come as a live update, after a second render)."""
    api = ConsoleApi(stack.handoff_url, "szef")

    def customer_turns() -> bool:
        turns: list[dict[str, Any]] = api.call("GET", f"/api/tickets/{ticket_id}")["transcript"]
        return sum(1 for turn in turns if turn["role"] == "customer") >= count

    poll(customer_turns, f"{count} customer messages in {ticket_id}")


def graph_texts(stack: Stack, recipient: str) -> list[str]:
    """The texts the fake Graph API was sent for ``recipient``."""
    with urllib.request.urlopen(f"{stack.graph_url}/_received", timeout=10) as response:
        records = json.loads(response.read())
    return [r["body"]["message"].get("text", "") for r in records
            if r["body"]["recipient"].get("id") == recipient and "failed" not in r and "message" in r["body"]]


def archived(stack: Stack, marker: str) -> dict[str, Any]:
    """The live archive's record whose customer wrote ``marker``, once the archiver has written it."""

    def record() -> dict[str, Any] | None:
        for path in (stack.admin_dir / "archive").glob("*.jsonl"):
            for line in path.read_text("utf-8").splitlines():
                if marker in line:
                    return dict(json.loads(line))
        return None

    return dict(poll(record, f"an archived conversation with {marker}"))


def claim_and_reply(page: Page, text: str) -> Locator:
    """On an open ticket page: claim, send ``text``; the moderator's bubble once it is delivered."""
    page.locator("#claim-hint").get_by_role("button", name="Przejmij").click()
    reply = page.get_by_label("Odpowiedź do klienta")
    expect(reply).to_be_enabled()
    reply.fill(text)
    reply.press("Control+Enter")
    expect(reply).to_have_value("")
    delivered = page.locator(".vc-msg-moderator:not(.is-pending) .vc-bubble").filter(has_text=text[:20])
    expect(delivered).to_have_count(1, timeout=DELIVERY_TIMEOUT_MS)  # back from Rasa
    return delivered


# -- the tests -------------------------------------------------------------------------------------


def test_console_pages_send_a_csp_that_forbids_inline_script(stack: Stack, moderator: Page) -> None:
    for path in ("/login", "/", "/tickets/T999999", "/stats", "/admin"):
        response = moderator.goto(f"{stack.handoff_url}{path}")
        assert response is not None and response.status == 200, path
        header = response.headers.get("content-security-policy", "")
        policy = {name: values for name, *values in (d.split() for d in header.split(";") if d.strip())}
        assert policy.get("script-src", policy.get("default-src")) == ["'self'"], f"{path}: {header}"
        assert policy.get("object-src") == ["'none'"] and policy.get("base-uri") == ["'none'"], f"{path}: {header}"
        assert "unsafe" not in header, f"{path}: {header}"
    # The browser enforces it: markup forced into a page (as a rendering bug would) runs nothing.
    violated = moderator.evaluate("""() => new Promise((resolve) => {
        document.addEventListener("securitypolicyviolation", (e) => resolve(e.effectiveDirective), {once: true});
        const probe = document.createElement("div");
        probe.innerHTML = '<img src="/no-such-image" onerror="window.__pwned = 1">';
        document.body.append(probe);
    })""")
    assert violated == "script-src-attr"
    assert moderator.evaluate("typeof window.__pwned") == "undefined"


def test_rest_customer_payloads_are_text_in_the_queue_and_on_the_ticket(
    stack: Stack, moderator: Page, rest_ticket: tuple[str, list[str]]
) -> None:
    ticket_id, said = rest_ticket
    page = moderator
    page.goto(f"{stack.handoff_url}/")
    row = queue_row(page, ticket_id)
    expect(row).to_contain_text("Zofia")
    assert_inert(page, page.locator("body"), [CUSTOMER_NAME, MALLORY[1]])  # the header names Mallory

    row.get_by_role("link", name=ticket_id, exact=True).click()
    customer = page.locator(".vc-msg-customer .vc-bubble")
    expect(customer).to_have_count(len(said))
    assert customer.all_text_contents() == said
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Zgłoszenie {ticket_id} · {CUSTOMER_NAME}")
    expect(page.locator("#evidence li").first).to_be_visible()
    expect(page.locator(".vc-suggestion").first).to_be_visible()
    assert_inert(page, page.locator("main"), [*said, CUSTOMER_NAME, EVIDENCE[0]["title"]])
    assert fits_the_window(page), "the long line pushes the page sideways"
    label = page.locator(".vc-msg-customer .vc-who").first
    assert in_reading_order(label.locator("strong"), label.locator("time")), "the name reorders the time beside it"


def test_a_moderator_answers_notes_and_tags_with_payloads(
    stack: Stack, moderator: Page, rest_ticket: tuple[str, list[str]]
) -> None:
    ticket_id, said = rest_ticket
    page = moderator
    page.goto(f"{stack.handoff_url}/tickets/{ticket_id}")
    page.locator("#claim-hint").get_by_role("button", name="Przejmij").click()
    reply = page.get_by_label("Odpowiedź do klienta")
    expect(reply).to_be_enabled()
    suggestion = page.locator(".vc-suggestion").first
    answer = suggestion.locator("p").inner_text()
    suggestion.get_by_role("button").click()
    expect(reply).to_be_focused()
    assert answer in reply.input_value()
    reply.fill(reply.input_value() + "\n\n" + REPLY)
    reply.press("Control+Enter")
    delivered = page.locator(".vc-msg-moderator:not(.is-pending) .vc-bubble")
    expect(delivered).to_have_count(1, timeout=DELIVERY_TIMEOUT_MS)
    assert REPLY in (delivered.text_content() or "")
    expect(page.locator(".vc-msg-moderator .vc-who strong")).to_have_text(MALLORY[1])

    page.get_by_label("Nowa notatka").fill(NOTE)
    page.get_by_role("button", name="Dodaj notatkę").click()
    expect(page.locator("#notes .vc-note-text")).to_have_count(1)
    assert page.locator("#notes .vc-note-text").text_content() == NOTE
    tags = page.get_by_label("Tagi (oddzielone przecinkami)")
    tags.fill(", ".join(TAGS))
    page.get_by_role("button", name="Zapisz tagi").click()
    expect(page.locator("#tags li")).to_have_count(len(TAGS))
    assert page.locator("#tags li").all_text_contents() == TAGS

    # Refused by the server: said so as text, nothing changed.
    tags.fill(", ".join([*TAGS[:2], TOO_LONG_TAG]))
    page.get_by_role("button", name="Zapisz tagi").click()
    expect(page.get_by_role("alert")).to_contain_text("a tag is at most 40 characters")
    assert page.locator("#tags li").all_text_contents() == TAGS
    page.locator("#transfer-to").evaluate(  # a login no moderator has; in one go, before a redraw drops it
        "(s, login) => { s.append(new Option(login, login)); s.value = login; s.form.requestSubmit(); }",
        HOSTILE_LOGIN)
    expect(page.get_by_role("alert")).to_contain_text("no moderator")
    assert_inert(page, page.locator("body"),
                 [*said, CUSTOMER_NAME, MALLORY[1], REPLY, *PAYLOADS, *TAGS, f"no moderator {HOSTILE_LOGIN}"])
    assert fits_the_window(page)

    page.get_by_role("button", name="Rozwiąż").click()
    page.get_by_role("dialog").get_by_role("button", name="Tak, rozwiąż").click()
    expect(page.locator("#ticket-state")).to_have_text("rozwiązane")
    page.goto(f"{stack.handoff_url}/")
    closed = page.locator("#recent-rows tr", has=page.get_by_role("link", name=ticket_id, exact=True))
    expect(closed).to_contain_text("Zofia")
    assert_inert(page, closed, [CUSTOMER_NAME, MALLORY[1]])
    page.goto(f"{stack.handoff_url}/stats")
    expect(page.locator("#stats-rows tr").first).to_be_visible()
    assert_inert(page, page.locator("body"), [])


def test_messenger_payloads_are_text_and_the_reply_reaches_messenger_as_typed(
    stack: Stack, moderator: Page, opened: list[str]
) -> None:
    customer = psid()
    texts = [ASK + PAYLOADS[2], *PAYLOADS[3:9], PAYLOADS[10]]
    title = '<img src=x onerror="window.__pwned=1"> Czas dostawy'  # what Messenger says was clicked
    clicked = event(customer, postback={"payload": '/choose_topic{"faq_id": "delivery_time"}', "title": title})
    assert messenger_post(stack, payload(*(text_event(customer, t) for t in texts), clicked)) == 200
    ticket_id = ticket_of(stack, f"messenger:{customer}")
    opened.append(ticket_id)
    wait_customer_turns(stack, ticket_id, len(texts) + 1)  # the inbox works them off in turn

    page = moderator
    page.goto(f"{stack.handoff_url}/tickets/{ticket_id}")
    bubbles = page.locator(".vc-msg-customer .vc-bubble")
    expect(bubbles).to_have_count(len(texts) + 1)
    assert bubbles.all_text_contents() == [*texts, title]
    expect(page.locator("#fact-channel")).to_have_text("Messenger")
    assert_inert(page, page.locator("main"), [*texts, title])

    claim_and_reply(page, REPLY)
    assert_inert(page, page.locator("main"), [*texts, title, REPLY])
    sent = poll(lambda: [t for t in graph_texts(stack, customer) if REPLY in t], "the reply at the Graph API")
    assert MALLORY[1] in sent[0], sent  # signed; plain text, nothing escaped
    assert any(MALLORY[1] in text for text in graph_texts(stack, customer) if REPLY not in text)  # "... joins"


def test_the_widget_shows_the_moderators_payloads_as_text(
    stack: Stack, chromium: Browser, moderator: Page, opened: list[str]
) -> None:
    with polish_page(chromium, 1280, 800, "the shop page", no_dialogs=True) as shop:
        shop.goto(f"{stack.handoff_url}/demo")
        widget = Widget(shop)
        widget.launcher.click()
        expect(widget.say(ASK + PAYLOADS[1])).to_contain_text("w kolejce")
        typed = [PAYLOADS[0], PAYLOADS[3], PAYLOADS[7]]
        for text in typed:
            widget.input.fill(text)
            widget.input.press("Enter")
        expect(widget.user).to_have_count(1 + len(typed))
        ticket_id = ticket_of(stack, widget.session_id())
        opened.append(ticket_id)
        wait_customer_turns(stack, ticket_id, 1 + len(typed))

        moderator.goto(f"{stack.handoff_url}/tickets/{ticket_id}")
        expect(moderator.locator(".vc-msg-customer .vc-bubble")).to_have_count(1 + len(typed))
        claim_and_reply(moderator, REPLY)
        assert_inert(moderator, moderator.locator("main"), [ASK + PAYLOADS[1], *typed, REPLY])

        answer = widget.bot.filter(has_text="Odpowiedź konsultanta")
        expect(answer).to_have_count(1, timeout=DELIVERY_TIMEOUT_MS)
        assert REPLY in (answer.text_content() or "") and MALLORY[1] in (answer.text_content() or "")
        assert MALLORY[1] in (widget.handoff.text_content() or "")
        links = answer.locator("a").evaluate_all("links => links.map((a) => a.getAttribute('href'))")
        assert links == ["https://volta.example/zwroty?x="], links  # only http(s) addresses become links
        assert_inert(shop, widget.log, [REPLY, *typed])
        shop.reload()  # drawn again from what the widget stored
        expect(widget.bot.filter(has_text="Odpowiedź konsultanta")).to_have_count(1)
        assert_inert(shop, widget.log, [REPLY, *typed])


def test_the_admins_review_shows_payloads_from_archived_chats_as_text(stack: Stack, moderator: Page) -> None:
    """A conversation the bot answered is archived (redacted) by the handoff service; its question goes into
    proposals as the miner would put it (a real mining run takes minutes)."""
    tag = uuid.uuid4().hex[:8]
    question = f"ile kosztuje dostawa kurierem? {PAYLOADS[2]} {PAYLOADS[3]} ({tag})"
    assert rest_says(stack, f"inj-archive-{tag}", question)[0]["text"]  # answered, no person
    record = archived(stack, tag)
    assert [t["text"] for t in record["turns"] if t["role"] == "customer"] == [question]  # the markup survived
    answer = f"Kurier kosztuje 14,99 zł. {PAYLOADS[0]} {PAYLOADS[4]}"
    title = f"{PAYLOADS[1]} \u202eyzsoK"  # the miner titles a new entry with a customer's question
    proposals = [
        {"id": f"inj{tag}new", "kind": "new_entry", "faq_id": None, "lang": "pl", "questions": [question],
         "answer": answer, "count": 1, "conversation_ids": [record["id"]], "title": title, "status": "pending"},
        {"id": f"inj{tag}more", "kind": "paraphrases", "faq_id": "delivery_time", "lang": "pl",
         "questions": [question, PAYLOADS[6]], "answer": "", "count": 1, "conversation_ids": [record["id"]],
         "title": PAYLOADS[8], "status": "pending"},
    ]
    (stack.admin_dir / "proposals" / "proposals.json").write_text(
        json.dumps({"updated_at": "2026-11-26T09:00:00Z", "proposals": proposals}, ensure_ascii=False), "utf-8")

    page = moderator
    page.goto(f"{stack.handoff_url}/admin")
    expect(page.locator("#pending article")).to_have_count(2)
    new_entry = page.locator(f'[data-proposal="inj{tag}new"]')
    expect(new_entry.get_by_label("Odpowiedź (możesz poprawić)")).to_have_value(answer)
    assert_inert(page, page.locator("main"), [question, title, PAYLOADS[6], PAYLOADS[8]])
    new_entry.get_by_role("button", name="Odrzuć").click()
    expect(new_entry).to_have_attribute("data-status", "rejected")
    summary = new_entry.locator("summary")
    summary.click()
    expect(new_entry.locator(".vc-answer")).to_be_visible()
    assert_inert(page, page.locator("main"), [question, answer, title, PAYLOADS[8]])
    assert in_reading_order(summary.locator("span[lang]"), summary.locator(".vc-muted")), "the title reorders its facts"


def test_refused_requests_store_nothing(stack: Stack, accounts: None, opened: list[str]) -> None:
    # Hostile bodies the channels refuse: a Messenger body signed with another secret, a REST message not text.
    customer = psid()
    before = inbox_length(stack)
    assert messenger_post(stack, payload(text_event(customer, ASK + PAYLOADS[0])), "not-the-app-secret") == 403
    assert inbox_length(stack) == before
    sender = f"inj-refused-{uuid.uuid4().hex[:12]}"
    with pytest.raises(urllib.error.HTTPError) as error:
        rest_post(stack, {"sender": sender, "message": {"text": PAYLOADS[1]}})
    error.value.close()
    assert error.value.code == 400
    assert stored_events(stack, f"messenger:{customer}") == stored_events(stack, sender) == 0

    # A message longer than the channels take: refused, nothing stored.
    with pytest.raises(urllib.error.HTTPError) as error:
        rest_says(stack, sender, LONG_MESSAGE + PAYLOADS[0])
    error.value.close()
    assert error.value.code == 413 and stored_events(stack, sender) == 0

    # A name longer than the handoff service takes: 400 naming it, no ticket.
    sender = f"inj-name-{uuid.uuid4().hex[:12]}"
    status, answer = ask_for_ticket(stack, sender, CUSTOMER_NAME + "x" * MAX_NAME_CHARS)
    assert status == 400 and answer["error"].startswith("customer_name must be"), answer
    assert owner(stack, sender) == {"owner": "bot", "ticket": None}

    # A name in the client's metadata never reaches Rasa nor the ticket: the customer gets a person, nameless.
    answers = rest_says(stack, sender, ASK + PAYLOADS[1], CUSTOMER_NAME)
    assert any((a.get("custom") or {}).get("handoff", {}).get("state") == "queued" for a in answers), answers
    ticket_id = ticket_of(stack, sender)
    opened.append(ticket_id)
    detail = ConsoleApi(stack.handoff_url, "anna").call("GET", f"/api/tickets/{ticket_id}")
    assert detail["ticket"]["customer_name"] == ""
    assert [m for m in user_metadata(stack, sender) if "customer_name" in m] == []

    # The console's API refuses what is too long, empty or unknown; the ticket stays as it was.
    sender = f"inj-api-{uuid.uuid4().hex[:12]}"
    rest_says(stack, sender, ASK + PAYLOADS[2], CUSTOMER_NAME)
    ticket_id = ticket_of(stack, sender)
    opened.append(ticket_id)
    anna = ConsoleApi(stack.handoff_url, "anna")
    anna.call("POST", f"/api/tickets/{ticket_id}/claim")
    before_detail = anna.call("GET", f"/api/tickets/{ticket_id}")
    refused = [
        ("POST", "reply", {"text": LONG_LINE + PAYLOADS[0]}, "longer than 4000 characters"),
        ("POST", "reply", {"text": " \n\t "}, "non-empty string"),
        ("POST", "notes", {"text": LONG_LINE + PAYLOADS[1]}, "longer than 4000 characters"),
        ("PUT", "tags", {"tags": [TAGS[0], TOO_LONG_TAG]}, "at most 40 characters"),
        ("PUT", "tags", {"tags": [f"{PAYLOADS[2]}{n}" for n in range(11)]}, "at most 10 tags"),
        ("PUT", "tags", {"tags": PAYLOADS[2]}, "list of strings"),
        ("POST", "transfer", {"to": HOSTILE_LOGIN}, f"no moderator {HOSTILE_LOGIN}"),
    ]
    for method, action, body, message in refused:
        with pytest.raises(urllib.error.HTTPError) as error:
            anna.call(method, f"/api/tickets/{ticket_id}/{action}", body)
        answer = json.loads(error.value.read())
        error.value.close()
        assert error.value.code == 400 and message in answer["error"], (action, answer)
    after = anna.call("GET", f"/api/tickets/{ticket_id}")
    assert after["notes"] == before_detail["notes"] and after["history"] == before_detail["history"]
    assert after["ticket"]["tags"] == [] and after["ticket"]["owner"] == "anna"
    assert [t for t in after["transcript"] if t["role"] == "moderator"] == []  # ("... joins" is the bot's)
    client = redis.Redis.from_url(stack.redis_url, decode_responses=True)
    try:
        outbox = json.dumps(client.xrange(keys.OUTBOX), ensure_ascii=False)
    finally:
        client.close()
    assert LONG_LINE[:200] not in outbox  # no refused reply on its way to the customer
