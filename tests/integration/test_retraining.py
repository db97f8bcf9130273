"""The admin loop end to end on the running stack, with no restart of any service:
a question the bot cannot answer is handed off, a moderator answers and resolves, the
conversation is archived, mining proposes the pair, an admin approves it, publishing
switches the index, and the question asked in other words is now answered by the bot."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from typing import Any

import pytest
import redis.asyncio as aioredis

from handoff.accounts import Accounts, Role
from handoff.errors import Conflict
from tests.integration.console import Moderator
from tests.integration.test_conversation import say
from tests.stack import Stack

pytestmark = pytest.mark.integration
QUESTION = "Czy organizujecie warsztaty z lutowania dla dzieci?"
PARAPHRASE = "a macie może jakieś warsztaty lutowania dla dzieciaków?"
ANSWER = ("Tak! Raz w miesiącu, w sobotę o 11:00, w sklepie Volta przy Marszałkowskiej prowadzimy warsztaty "
          "lutowania dla dzieci od 10 lat. Udział jest bezpłatny, zapisy na volta.example/warsztaty.")
PASSWORD = "admin password 123"


async def wait_for(check: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = await check()
        if result:
            return result
        await asyncio.sleep(1)
    raise AssertionError(f"timed out waiting for {what}")


async def job_done(admin: Moderator, kind: str, timeout: float) -> dict[str, Any]:
    async def finished() -> dict[str, Any] | None:
        _, jobs = await admin.call("GET", "/api/admin/jobs")
        job = next((j for j in jobs if j["kind"] == kind), None)
        return job if job and job["state"] != "running" else None

    job: dict[str, Any] = await wait_for(finished, timeout, f"the {kind} job")
    assert job["state"] == "done", job["output"]
    return job


async def test_a_moderators_answer_becomes_the_bots(stack: Stack) -> None:
    client = aioredis.from_url(stack.redis_url, decode_responses=True)
    with contextlib.suppress(Conflict):
        await Accounts(client).create("szefowa", "Szefowa", Role.ADMIN, PASSWORD)
    await client.aclose()
    admin = Moderator(stack, "szefowa")
    admin.password = PASSWORD
    await admin.sign_in()
    try:
        # 1. the bot cannot answer; the customer asks for a person
        customer = f"retrain-{uuid.uuid4()}"  # REST takes only REST ids
        first = await say(stack, customer, QUESTION)
        assert "konsultant" in first[0]["text"]  # off-topic: it says what it can do and offers a person
        handed = await say(stack, customer, "konsultant")
        assert "w kolejce" in handed[0]["text"]
        assert handed[-1]["custom"]["handoff"]["state"] == "queued"
        queue = (await admin.call("GET", "/api/queue"))[1]["tickets"]
        ticket_id = next(t["id"] for t in queue if t["conversation_id"] == customer)

        # 2. a moderator answers and resolves
        assert (await admin.call("POST", f"/api/tickets/{ticket_id}/claim"))[0] == 200
        assert (await admin.call("POST", f"/api/tickets/{ticket_id}/reply", {"text": "Cześć, " + ANSWER}))[0] == 200
        assert (await admin.call("POST", f"/api/tickets/{ticket_id}/resolve"))[0] == 200

        # 3. the conversation ends and is archived (ARCHIVE_IDLE_SECONDS=2 in the test stack)
        async def archived() -> bool:
            text = "".join(p.read_text("utf-8") for p in (stack.admin_dir / "archive").glob("*.jsonl"))
            return QUESTION in text and "warsztaty lutowania" in text

        await wait_for(archived, 30, "the archive record")

        # 4. mining proposes the pair; 5. an admin approves it
        assert (await admin.call("POST", "/api/admin/jobs/mine"))[0] == 202
        await job_done(admin, "mine", 120)
        _, listing = await admin.call("GET", "/api/admin/proposals")
        proposal = next(p for p in listing["proposals"] if QUESTION in p["questions"])
        assert proposal["kind"] == "new_entry" and proposal["status"] == "pending"
        status, approved = await admin.call("POST", f"/api/admin/proposals/{proposal['id']}/approve",
                                             {"answer": ANSWER})
        assert status == 200 and approved["status"] == "approved"
        records = [json.loads(line) for line in
                   (stack.admin_dir / "approved" / "approved.jsonl").read_text("utf-8").splitlines()]
        assert records[-1]["approved_qa"][-1]["answer"] == ANSWER

        # 6. publishing builds, gates and switches the index while everything keeps running
        before = (stack.index_dir / "CURRENT").read_text().strip()
        assert (await admin.call("POST", "/api/admin/jobs/publish", {}))[0] == 202
        job = await job_done(admin, "publish", 400)
        assert "published index" in job["output"]
        assert (stack.index_dir / "CURRENT").read_text().strip() != before

        # 7. the question in other words is now answered by the bot
        async def answered() -> bool:
            reply = await say(stack, f"retrain-{uuid.uuid4()}", PARAPHRASE)
            return bool(reply) and reply[0].get("text") == ANSWER

        await wait_for(answered, 30, "the bot to answer with the approved answer")
    finally:
        await admin.http.close()
