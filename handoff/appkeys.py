"""Typed keys of the handoff application's shared state."""

from __future__ import annotations

import redis.asyncio as aioredis
from aiohttp import web

from handoff.settings import Settings

SETTINGS = web.AppKey("settings", Settings)
REDIS = web.AppKey("redis", aioredis.Redis)
