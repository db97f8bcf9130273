"""The handoff API fuzzed from its own OpenAPI document (schemathesis): whatever the input, no route
answers with a server error, and every answer fits the schema its route documents. The service runs
for real on a loopback port, on its own Redis database, signed in as an admin and holding the service
token. Every path setting points into a temporary workspace, so the admin jobs the fuzzer starts
(mining, publishing: real ``python -m bot.admin`` children, with the cheap hashing embedder) and the
erasures, approvals and archive retries it makes never touch the repository's files."""

from __future__ import annotations

import asyncio
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import redis
import schemathesis
from aiohttp import web
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from bot.brain.build_index import build
from bot.core import keys
from bot.core.settings import faq_dir
from bot.learning.paths import Paths
from handoff.accounts import Accounts, Role
from handoff.app import create_app
from handoff.jobs import KINDS
from handoff.openapi import document
from handoff.settings import Settings
from ops.processes import RedisServer, free_port
from tests.handoff.conftest import SERVICE_TOKEN
from tests.handoff.conftest import settings as app_settings

# the document of an app that is never started (create_app does no I/O)
schema = schemathesis.openapi.from_dict(document(create_app(app_settings("redis://127.0.0.1:9/0"), workers=False)))
FUZZ_DB = 3
EXAMPLES = 12
WORKSPACE_TOPICS = ("account_delete.yml", "contact_hours.yml")
JOBS_SECONDS = 120  # the jobs the fuzzer started end before the workspace is removed
# routes that answer 503 naming a setting while it is unset (handoff.consult_api)
OFF_UNTIL_SET = {"/api/tickets/{ticket_id}/consult": "SMTP_HOST", "/inbound/email": "HANDOFF_INBOUND_EMAIL_TOKEN"}


def workspace_settings(redis_url: str, root: Path) -> Settings:
    """Test settings whose every path is under ``root``: two of the FAQ's topics and a live index of
    them, so a publishing job the fuzzer starts builds, gates and switches in seconds."""
    (root / "faq").mkdir()
    for topic in WORKSPACE_TOPICS:
        shutil.copy(faq_dir({}) / topic, root / "faq" / topic)
    paths = Paths(archive=root / "archive", approved=root / "approved", faq=root / "faq", index=root / "index",
                  embedder="hashing", proposals=root / "proposals" / "proposals.json", log=root / "publish.log")
    build(paths.faq, paths.index, paths.embedder, progress=False, archive_dir=paths.approved)
    return app_settings(redis_url, archive_dir=paths.archive, admin_paths=paths, jobs_dir=root / "jobs")


class LiveService:
    def __init__(self, settings: Settings) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.settings = settings
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.headers: dict[str, str] = {}
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        runner = web.AppRunner(create_app(self.settings, workers=False))
        self.loop.run_until_complete(runner.setup())
        self.loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", self.port).start())
        self.ready.set()
        self.loop.run_forever()
        self.loop.run_until_complete(runner.cleanup())

    def start(self) -> None:
        self.thread.start()
        self.ready.wait(10)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


async def _admin_headers(redis_url: str, create: bool) -> dict[str, str]:
    """A new session of the fuzzing admin (made first if ``create``), and the service token."""
    import redis.asyncio as aioredis

    client = aioredis.from_url(redis_url, decode_responses=True)
    accounts = Accounts(client)
    if create:
        await accounts.create("fuzz", "Fuzz", Role.ADMIN, "fuzzing password 1")
    session = await accounts.start_session(await accounts.get("fuzz"))
    await client.aclose()
    return {"Cookie": f"ho_session={session.token}", "X-CSRF-Token": session.csrf,
            "Authorization": f"Bearer {SERVICE_TOKEN}"}


def _jobs_ended(url: str) -> bool:
    """Whether the admin jobs the fuzzer started have ended (their lease is released at the end)."""
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + JOBS_SECONDS
    while time.monotonic() < deadline:
        if not any(client.exists(keys.job(kind) + ":lease") for kind in KINDS):
            return True
        time.sleep(0.5)
    return False


@pytest.fixture(scope="module")
def live(redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveService]:
    url = replace(redis_server.config, db=FUZZ_DB).full_url()
    redis.Redis.from_url(url).flushdb()
    service = LiveService(workspace_settings(url, tmp_path_factory.mktemp("fuzz-workspace")))
    service.headers = asyncio.run(_admin_headers(url, create=True))
    service.start()
    yield service
    jobs_ended = _jobs_ended(url)
    service.stop()
    assert jobs_ended, "admin jobs still running after the fuzzing"
    created = redis.Redis.from_url(url).zcard(keys.ALL)
    assert created > 0, "the fuzzer never reached the service"  # /internal/tickets accepted generated bodies


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_makes_a_server_error(case: Any, live: LiveService) -> None:
    if case.path == "/api/live":
        return  # an endless event stream, covered by the console's browser tests
    # signing out ends the session it is sent with: a fresh one each time, the fuzzing's own lives on
    headers = asyncio.run(_admin_headers(live.settings.redis_url, create=False)) if case.path == "/logout" else \
        live.headers
    if case.path in OFF_UNTIL_SET:  # e-mail is off here: a 503 that names its setting is the answer
        response = case.call(base_url=live.url, headers=headers, timeout=10)
        assert response.status_code < 500 or (response.status_code == 503
                                              and OFF_UNTIL_SET[case.path] in response.json()["error"])
        return
    case.call_and_validate(base_url=live.url, headers=headers, timeout=10,
                           checks=[not_a_server_error, response_schema_conformance])
