"""The admin's review page (/admin) in a real browser against the real stack: approving a mined proposal
with an edited answer (the pair lands in ``approved/approved.jsonl``), rejecting another, what the page
says about the server's refusals, and that moderators neither see the page nor its link.

The stack's handoff service keeps the admin loop's files under ``stack.admin_dir``; the tests write their
own proposals and a small live archive there. No job is run for real (mining and publishing take minutes):
the job panel is checked against faked job responses.
"""

from __future__ import annotations

import json
import random
import urllib.error
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from playwright.sync_api import Browser, Dialog, Page, Route, expect

from bot.core import keys
from tests.browser.test_console import ACCOUNTS, ConsoleApi, _create_accounts, _run, sign_in
from tests.stack import Stack

pytestmark = pytest.mark.integration

XSS = "<img src=x onerror=alert(1)>"
MONTH_FILE = "2026-11.jsonl"  # what the live archiver names this month's file


@pytest.fixture(scope="module")
def accounts(stack: Stack) -> dict[str, Any]:
    _run(_create_accounts(stack.redis_url))
    return ACCOUNTS


@pytest.fixture
def browse(chromium: Browser, stack: Stack, accounts: dict[str, Any]) -> Iterator[Callable[[str], Page]]:
    """A fresh browser profile signed in as ``login``; fails the test on JavaScript errors or dialogs."""
    opened: list[tuple[Page, list[str]]] = []

    def open_page(login: str) -> Page:
        context = chromium.new_context(
            locale="pl-PL", timezone_id="Europe/Warsaw", viewport={"width": 1366, "height": 900}
        )
        page = context.new_page()
        page.set_default_timeout(20_000)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))

        def unexpected_dialog(dialog: Dialog) -> None:
            errors.append(f"dialog: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", unexpected_dialog)
        opened.append((page, errors))
        sign_in(page, stack.handoff_url, login)
        expect(page).to_have_url(f"{stack.handoff_url}/")
        return page

    yield open_page
    for page, errors in opened:
        page.context.close()
        assert not errors, f"JavaScript errors or dialogs on the page: {errors}"


def _known_ids(admin_dir: Path) -> set[str]:
    ids = set()
    for sub in ("archive", "approved"):
        for path in (admin_dir / sub).glob("*.jsonl"):
            for line in path.read_text("utf-8").splitlines():
                if line.strip():
                    ids.add(json.loads(line)["id"])
    return ids


def _conversation(conv_id: str, day: int, name: str, question: str, answer: str,
                  faq_ids: list[str]) -> dict[str, Any]:
    """A moderator-resolved conversation in the archive format (faq_corpus/archive/FORMAT.md)."""
    at = f"2026-11-{day:02d}T10:"
    return {
        "id": conv_id,
        "channel": "web",
        "lang": "pl",
        "started_at": at + "00:00Z",
        "ended_at": at + "09:30Z",
        "customer": {"display_name": name},
        "turns": [
            {"role": "customer", "text": question, "at": at + "00:00Z"},
            {"role": "bot", "text": "Łączę Cię z konsultantem – odpowie najszybciej, jak to możliwe.",
             "at": at + "00:05Z"},
            {"role": "moderator", "text": f"Cześć! {answer}", "at": at + "04:00Z", "author": "Anna"},
            {"role": "customer", "text": "Dzięki!", "at": at + "09:30Z"},
        ],
        "outcome": "moderator_resolved",
        "handoff": {"at": at + "00:05Z", "reasons": ["out_of_scope"]},
        "faq_ids": faq_ids,
        "approved_qa": [],
    }


@pytest.fixture
def proposals(stack: Stack) -> dict[str, Any]:
    """Two pending proposals (a new entry from two conversations, phrasings of an existing topic from one),
    their conversations appended to this month's live archive file."""
    admin_dir = stack.admin_dir
    assert (admin_dir / "proposals").is_dir(), "the stack gives the admin loop no directory (stack.admin_dir)"
    taken = _known_ids(admin_dir)
    free = [n for n in random.sample(range(900_000, 1_000_000), 50) if f"conv-{n:06d}" not in taken]
    wrap_ids = [f"conv-{free[0]:06d}", f"conv-{free[1]:06d}"]
    speed_id = f"conv-{free[2]:06d}"
    tag = uuid.uuid4().hex[:6]  # questions of their own: a fresh approval, whatever ran before
    wrap_questions = [f"Czy pakujecie prezenty na święta? ({tag})",
                      f"czy da się zapakować zamówienie na prezent ({tag})"]
    wrap_answer = "Pakujemy prezenty w sklepach stacjonarnych, na miejscu i bez dopłaty."
    speed_question = f"kiedy przyjdzie paczka {XSS} ({tag})"
    records = [
        _conversation(wrap_ids[0], 20, "Marek K.", wrap_questions[0], wrap_answer, []),
        _conversation(wrap_ids[1], 21, "Ewa", wrap_questions[1], wrap_answer, []),
        _conversation(speed_id, 22, "Jan", speed_question, "Kurier dowozi zwykle w 1–2 dni robocze.",
                      ["delivery_time"]),
    ]
    with open(admin_dir / "archive" / MONTH_FILE, "a", encoding="utf-8") as archive:  # the archiver's file too
        for record in records:
            archive.write(json.dumps(record, ensure_ascii=False) + "\n")
    wrap = {"id": f"t{tag}wrap", "kind": "new_entry", "faq_id": None, "lang": "pl", "questions": wrap_questions,
            "answer": wrap_answer, "count": 2, "conversation_ids": wrap_ids, "title": wrap_questions[0],
            "status": "pending"}
    speed = {"id": f"t{tag}speed", "kind": "paraphrases", "faq_id": "delivery_time", "lang": "pl",
             "questions": [speed_question], "answer": "", "count": 1, "conversation_ids": [speed_id],
             "title": "Czas dostawy", "status": "pending"}
    (admin_dir / "proposals" / "proposals.json").write_text(
        json.dumps({"updated_at": "2026-11-26T09:00:00Z", "proposals": [wrap, speed]}, ensure_ascii=False), "utf-8")
    return {"wrap": wrap, "speed": speed}


def proposal(page: Page, proposal_id: str) -> Any:
    return page.locator(f'[data-proposal="{proposal_id}"]')


def test_admin_approves_with_an_edited_answer_and_rejects_another(
    stack: Stack, browse: Callable[[str], Page], proposals: dict[str, Any]
) -> None:
    wrap, speed = proposals["wrap"], proposals["speed"]
    page = browse("szef")
    page.get_by_role("navigation").get_by_role("link", name="Przeglądy").click()
    expect(page).to_have_url(f"{stack.handoff_url}/admin")
    expect(page.get_by_role("heading", level=1)).to_have_text("Przegląd propozycji do FAQ")
    expect(page.get_by_role("link", name="Przeglądy")).to_have_attribute("aria-current", "page")
    pending = page.locator("#pending article")
    expect(pending).to_have_count(2)
    expect(page.locator("#admin-summary")).to_have_text("Do decyzji: 2 · rozpatrzone: 0")

    new_entry, phrasings = proposal(page, wrap["id"]), proposal(page, speed["id"])
    expect(new_entry).to_contain_text("Nowy wpis")
    expect(new_entry).to_contain_text("nowy temat")
    expect(new_entry).to_contain_text("polski")
    expect(new_entry).to_contain_text("×2")
    expect(new_entry.locator(".vc-questions li")).to_have_text(wrap["questions"])
    answer = new_entry.get_by_label("Odpowiedź (możesz poprawić)")
    expect(answer).to_have_value(wrap["answer"])
    expect(phrasings).to_contain_text("Nowe sformułowania")
    expect(phrasings).to_contain_text("×1")
    expect(phrasings.locator(".vc-questions li")).to_have_text(speed["questions"])  # markup shown as text
    expect(phrasings.get_by_label("Temat (id w FAQ)")).to_have_value("delivery_time")
    assert page.locator("main img, main script").count() == 0

    # An empty answer for a new entry is refused before anything is sent.
    answer.fill("  ")
    new_entry.get_by_role("button", name="Zatwierdź").click()
    expect(page.get_by_role("alert")).to_contain_text("Nowy wpis potrzebuje odpowiedzi")
    expect(answer).to_have_attribute("aria-invalid", "true")
    expect(answer).to_be_focused()

    edited = "Prezenty zapakujemy w każdym sklepie Volta – na miejscu i bez dopłaty. Online nie pakujemy."
    answer.fill(edited)
    new_entry.get_by_role("button", name="Zatwierdź").click()
    expect(page.get_by_role("status").filter(has_text="Zatwierdzono")).to_contain_text(wrap["title"])
    expect(pending).to_have_count(1)
    decided = proposal(page, wrap["id"])
    expect(decided).to_have_attribute("data-status", "approved")
    expect(decided.locator("summary")).to_contain_text("zatwierdzona")
    expect(phrasings).to_be_focused()  # the next proposal takes the decided one's place

    # The server refuses a topic the FAQ does not have; the page says so and keeps the proposal.
    topic = phrasings.get_by_label("Temat (id w FAQ)")
    topic.fill("no_such_topic")
    topic.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("unknown FAQ topic 'no_such_topic'")
    expect(pending).to_have_count(1)

    # Rejecting, from the keyboard.
    phrasings.get_by_role("button", name="Odrzuć").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#pending")).to_contain_text("Brak propozycji do decyzji")
    expect(proposal(page, speed["id"])).to_have_attribute("data-status", "rejected")
    expect(proposal(page, speed["id"]).locator("summary")).to_contain_text("odrzucona")
    expect(page.locator("#decided-title")).to_have_text("Rozpatrzone (2)")
    expect(page.locator("#admin-summary")).to_have_text("Do decyzji: 0 · rozpatrzone: 2")

    # Decided ones are collapsed; opened, the approved one shows the answer as edited.
    decided_answer = decided.locator(".vc-answer")
    expect(decided_answer).to_be_hidden()
    decided.locator("summary").click()
    expect(decided_answer).to_have_text(edited)
    expect(decided).to_contain_text("przez szef")

    # After a reload the decisions are still there (they are the server's), in English too.
    page.reload()
    page.get_by_role("button", name="Switch to English").click()
    expect(proposal(page, wrap["id"]).locator("summary")).to_contain_text("approved")
    expect(proposal(page, speed["id"]).locator("summary")).to_contain_text("rejected")
    expect(page.get_by_role("link", name="Review")).to_be_visible()
    page.get_by_role("button", name="Przełącz na polski").click()

    # What approving wrote: each conversation again, with the pair and the edited answer in approved_qa.
    lines = (stack.admin_dir / "approved" / "approved.jsonl").read_text("utf-8").splitlines()
    written = {r["id"]: r for r in map(json.loads, lines) if r["id"] in wrap["conversation_ids"]}
    assert set(written) == set(wrap["conversation_ids"])
    for conv_id, question in zip(wrap["conversation_ids"], wrap["questions"], strict=True):
        pair = written[conv_id]["approved_qa"][-1]
        assert pair["question"] == question
        assert pair["answer"] == edited
        assert pair["faq_id"] is None
        assert pair["approved_by"] == "szef"
    assert not any(speed["conversation_ids"][0] in line for line in lines)  # rejected: nothing written
    stored = json.loads((stack.admin_dir / "proposals" / "proposals.json").read_text("utf-8"))["proposals"]
    by_id = {p["id"]: p for p in stored}
    assert by_id[wrap["id"]]["status"] == "approved" and by_id[wrap["id"]]["answer"] == edited
    assert by_id[speed["id"]]["status"] == "rejected" and by_id[speed["id"]]["decided_by"] == "szef"


def test_the_job_panel_shows_a_publish_stopped_by_the_gate(
    stack: Stack, browse: Callable[[str], Page], proposals: dict[str, Any]
) -> None:
    """Faked job responses (a real publish takes minutes): running, polled, then stopped by the gate."""
    page = browse("szef")
    started = 1_800_000_000.0
    running = {"kind": "publish", "state": "running", "exit_code": None, "started_at": started,
               "finished_at": None, "output": "building the candidate index\n"}
    stopped = {**running, "state": "failed", "exit_code": 3, "finished_at": started + 95,
               "output": "building the candidate index\nregression set: live 0.91, candidate 0.84\n"
                         f"not published: accuracy dropped by 0.07 {XSS} (use --force to publish anyway)\n"}
    posted: list[Any] = []
    polls = {"count": 0}

    def start_job(route: Route) -> None:
        if route.request.method != "POST":
            route.fallback()
            return
        posted.append(route.request.post_data_json)
        if len(posted) > 1:
            route.fulfill(status=409, json={"error": "a publish job is already running (since 10:00:00)"})
        else:
            route.fulfill(status=202, json=running)

    def job_list(route: Route) -> None:
        polls["count"] += 1
        route.fulfill(json=[running] if polls["count"] < 2 else [stopped])

    page.route("**/api/admin/jobs/*", start_job)  # never the real job
    page.route("**/api/admin/jobs", job_list)
    page.goto(f"{stack.handoff_url}/admin")
    expect(page.locator("#jobs-none")).to_be_visible()
    page.get_by_label("wymuś (mimo spadku jakości)").check()
    page.get_by_role("button", name="Opublikuj").click()
    box = page.locator("#job-publish")
    expect(box.locator(".vc-job-state")).to_contain_text("Publikacja: trwa")
    assert posted == [{"force": True}]
    expect(page.get_by_label("wymuś (mimo spadku jakości)")).not_to_be_checked()
    expect(page.get_by_role("button", name="Opublikuj")).to_have_attribute("aria-disabled", "true")
    # While it runs (aria-disabled, which Playwright would wait out): told so, nothing sent.
    page.get_by_role("button", name="Opublikuj").click(force=True)
    expect(page.get_by_role("alert")).to_contain_text("Publikacja: zadanie już trwa")
    assert len(posted) == 1

    # Polled every 2 s until it ends; the reasons are the job's own lines, as text.
    expect(box.locator(".vc-job-gate")).to_contain_text("Nie opublikowano — zatrzymała bramka jakości:", timeout=10_000)
    expect(box.locator(".vc-job-gate li")).to_have_text([
        "regression set: live 0.91, candidate 0.84",
        f"not published: accuracy dropped by 0.07 {XSS} (use --force to publish anyway)",
    ])
    expect(page.get_by_role("alert")).to_contain_text("not published: accuracy dropped by 0.07")
    expect(box.locator("pre")).to_contain_text("building the candidate index")
    expect(box.locator(".vc-job-state")).to_contain_text("nie powiodło się")
    expect(page.get_by_role("button", name="Opublikuj")).not_to_have_attribute("aria-disabled", "true")
    assert page.locator("main img").count() == 0
    polled = polls["count"]
    page.wait_for_timeout(2500)
    assert polls["count"] == polled  # no polling once nothing runs

    # The server's 409 (another admin's job) is shown as well.
    page.get_by_role("button", name="Opublikuj").click()
    expect(page.get_by_role("alert")).to_contain_text("a publish job is already running")


def test_a_moderator_has_no_review_page_and_no_link(stack: Stack, browse: Callable[[str], Page]) -> None:
    page = browse("anna")
    expect(page.get_by_role("link", name="Statystyki")).to_be_visible()
    expect(page.get_by_role("link", name="Przeglądy")).to_have_count(0)
    response = page.goto(f"{stack.handoff_url}/admin")
    assert response is not None and response.status == 403
    anna = ConsoleApi(stack.handoff_url, "anna")
    with pytest.raises(urllib.error.HTTPError) as refused:
        anna.call("GET", "/api/admin/proposals")
    refused.value.close()  # its socket
    assert refused.value.code == 403


def test_the_admin_sees_and_retries_a_conversation_set_aside_by_the_archiver(
    stack: Stack, browse: Callable[[str], Page]
) -> None:
    """Put in Redis as the archiver leaves it after 5 failed passes; the id is shown as text."""
    conversation_id = f"rest:{XSS}-{uuid.uuid4().hex[:8]}"
    client = redis.Redis.from_url(stack.redis_url, decode_responses=True)
    client.hset(keys.ARCHIVE_FAILED, conversation_id,
                json.dumps({"at": 1_800_000_000.0, "attempts": 5, "error": "RuntimeError"}))
    try:
        page = browse("szef")
        page.goto(f"{stack.handoff_url}/admin")
        section = page.get_by_role("region", name="Rozmowy nie zarchiwizowane")
        item = section.locator(f'li[data-conversation="{conversation_id}"]')
        expect(item.locator("code")).to_have_text(conversation_id)
        expect(item).to_contain_text("prób: 5 · błąd: RuntimeError")
        assert page.locator("main img").count() == 0
        item.get_by_role("button", name="Ponów").click()
        expect(page.get_by_role("status").filter(has_text="wróciła do archiwizacji")).to_contain_text(conversation_id)
        expect(item).to_have_count(0)
        expect(section.locator(".vc-empty")).to_have_text("Brak — wszystkie zakończone rozmowy są w archiwum.")
        assert not client.hexists(keys.ARCHIVE_FAILED, conversation_id)
    finally:
        client.hdel(keys.ARCHIVE_FAILED, conversation_id)
        client.close()


def test_the_admin_erases_a_conversation_after_confirming(stack: Stack, browse: Callable[[str], Page]) -> None:
    """Cancelling the confirmation erases nothing; confirming erases the conversation's events and ticket."""
    conversation_id = f"web:{uuid.uuid4()}"
    ticket_id = f"T9{uuid.uuid4().int % 100_000:05d}"
    client = redis.Redis.from_url(stack.redis_url, decode_responses=True)
    events = keys.TrackerKeys().events(conversation_id)
    client.rpush(events, json.dumps({"event": "user", "text": "Nazywam się Jan Kowalski", "timestamp": 1.0}))
    client.hset(keys.ticket(ticket_id), mapping={"id": ticket_id, "conversation_id": conversation_id})
    client.rpush(keys.conversation_tickets(conversation_id), ticket_id)
    client.zadd(keys.ALL, {ticket_id: 1.0})
    try:
        page = browse("szef")
        page.goto(f"{stack.handoff_url}/admin")
        section = page.get_by_role("region", name="Usunięcie danych klienta")
        field = section.get_by_label("Identyfikator rozmowy")
        field.fill(conversation_id)
        section.get_by_role("button", name="Usuń dane").click()
        dialog = page.get_by_role("dialog")
        expect(dialog).to_contain_text(f"Usunąć na zawsze wszystkie dane rozmowy {conversation_id}?")
        dialog.get_by_role("button", name="Anuluj").click()
        expect(dialog).to_be_hidden()
        assert client.exists(events) and client.exists(keys.ticket(ticket_id))

        section.get_by_role("button", name="Usuń dane").click()
        dialog.get_by_role("button", name="Tak, usuń").click()
        expect(page.get_by_role("status").filter(has_text="usunięte")).to_contain_text(conversation_id)
        expect(section.locator("#erasure-result")).to_contain_text("tickets 1")
        expect(field).to_have_value("")
        assert not client.exists(events, keys.ticket(ticket_id), keys.conversation_tickets(conversation_id))
        assert client.zscore(keys.ALL, ticket_id) is None

        # an invalid id: the server's 400 is shown and the field marked
        field.fill("web:not-a-uuid")
        section.get_by_role("button", name="Usuń dane").click()
        dialog.get_by_role("button", name="Tak, usuń").click()
        expect(page.get_by_role("alert")).to_contain_text("conversation_id")
        expect(field).to_have_attribute("aria-invalid", "true")
    finally:
        client.delete(events, keys.ticket(ticket_id), keys.conversation_tickets(conversation_id))
        client.zrem(keys.ALL, ticket_id)
        client.close()
