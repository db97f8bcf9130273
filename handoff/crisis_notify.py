"""Telling the people on call that a crisis opened: a JSON webhook (``HANDOFF_CRISIS_WEBHOOK_URL``, retried)
and, when SMTP is configured, an e-mail to ``HANDOFF_CRISIS_EMAILS``. Both run as background tasks, so
the ticket that opened the crisis never waits for them; failures are logged."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from email.message import EmailMessage
from typing import Any

import aiohttp
from aiohttp import web

from handoff import mail
from handoff.appkeys import HTTP, SETTINGS
from handoff.crisis_store import Crisis

logger = logging.getLogger(__name__)
WEBHOOK_ATTEMPTS = 3
WEBHOOK_TIMEOUT_SECONDS = 10
RETRY_SECONDS = (1.0, 4.0)  # waits before the second and third attempts
TASKS = web.AppKey("crisis_tasks", set[asyncio.Task[None]])


def message(crisis: Crisis, link: str) -> dict[str, Any]:
    return {"crisis": crisis.id, "topic": crisis.topic, "count": crisis.tickets, "started": crisis.started,
            "link": link}


async def post_webhook(http: aiohttp.ClientSession, url: str, body: dict[str, Any],
                       waits: tuple[float, ...] = RETRY_SECONDS) -> bool:
    """POST ``body`` until a 2xx answer, at most ``WEBHOOK_ATTEMPTS`` times; whether it got through."""
    for attempt in range(WEBHOOK_ATTEMPTS):
        try:
            async with http.post(url, json=body, timeout=aiohttp.ClientTimeout(total=WEBHOOK_TIMEOUT_SECONDS)) as r:
                if r.status < 300:
                    return True
                logger.warning("crisis webhook answered %s (attempt %s)", r.status, attempt + 1)
        except (aiohttp.ClientError, TimeoutError) as e:
            logger.warning("crisis webhook failed (attempt %s): %s", attempt + 1, type(e).__name__)
        if attempt < len(waits):
            await asyncio.sleep(waits[attempt])
    logger.error("crisis webhook gave up after %s attempts", WEBHOOK_ATTEMPTS)
    return False


async def _send_mail(settings: mail.MailSettings, to: tuple[str, ...], body: dict[str, Any]) -> None:
    email = EmailMessage()
    email["From"], email["To"] = settings.smtp_from, ", ".join(to)
    email["Subject"] = f"Crisis: {body['topic']} ({body['count']} conversations)"
    email.set_content(f"A wave of upset customers about {body['topic']}: {body['count']} conversations.\n"
                      f"{body['link']}\n")
    try:
        await mail.send(settings, email)
    except Exception as e:  # aiosmtplib's errors and OSError: logged, the webhook still counts
        logger.error("crisis e-mail failed: %s", type(e).__name__)


async def _notify(app: web.Application, crisis: Crisis) -> None:
    settings = app[SETTINGS]
    body = message(crisis, f"{settings.crisis.console_url}/crises/{crisis.id}")
    if settings.crisis.webhook_url:
        await post_webhook(app[HTTP], settings.crisis.webhook_url, body)
    if settings.crisis.emails and settings.mail.enabled:
        await _send_mail(settings.mail, settings.crisis.emails, body)


def notify_opened(app: web.Application, crisis: Crisis) -> None:
    """Start telling the people on call; the task is the app's, cancelled at shutdown."""
    logger.warning("crisis %s opened: topic %s, %s tickets", crisis.id, crisis.topic, crisis.tickets)
    task = asyncio.create_task(_notify(app, crisis))
    app[TASKS].add(task)
    task.add_done_callback(app[TASKS].discard)


async def crisis_tasks(app: web.Application) -> AsyncIterator[None]:
    tasks: set[asyncio.Task[None]] = set()
    app[TASKS] = tasks
    yield
    for task in list(tasks):
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
