"""Typed keys of the handoff application's shared state."""

from __future__ import annotations

import asyncio

import aiohttp
import redis.asyncio as aioredis
from aiohttp import web

from bot.core.readiness_log import ReadinessLog
from handoff.accounts import Accounts, Session
from handoff.archive_failures import ArchiveFailures
from handoff.jobs import Jobs
from handoff.rasa_client import RasaClient
from handoff.settings import Settings
from handoff.sign_in import SignIn
from handoff.suggest import SuggestClient
from handoff.tickets import TicketStore

SETTINGS = web.AppKey("settings", Settings)
REDIS = web.AppKey("redis", aioredis.Redis)
HTTP = web.AppKey("http", aiohttp.ClientSession)
TICKETS = web.AppKey("tickets", TicketStore)
ACCOUNTS = web.AppKey("accounts", Accounts)
RASA = web.AppKey("rasa", RasaClient)
SUGGEST = web.AppKey("suggest", SuggestClient)
JOBS = web.AppKey("jobs", Jobs)
ARCHIVE_FAILURES = web.AppKey("archive_failures", ArchiveFailures)
# The loops a replica runs for its whole life, by name (handoff.readiness reports a stopped one).
LOOPS = web.AppKey("loops", dict[str, asyncio.Task[None]])
READY_LOG = web.AppKey("ready_log", ReadinessLog)  # what /ready last logged
# Set when this process changed the queue: wakes its queue-position notifier (handoff.notifier).
NOTIFY_WAKE = web.AppKey("notify_wake", asyncio.Event)
SIGN_IN = web.AppKey("sign_in", SignIn)
# The signed-in moderator of a request (set by the auth middleware).
SESSION = web.RequestKey("session", Session)


def session_of(request: web.Request) -> Session:
    return request[SESSION]
