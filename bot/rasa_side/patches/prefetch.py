"""Each customer message is posted to the action server's ``/prefetch`` as it arrives, before
the lock, the tracker and the policies: the action server embeds it on its own core meanwhile
(``actions/prefetch.py``)."""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)
PREFETCH_TIMEOUT_SECONDS = 2.0
_prefetches: set[Any] = set()
_original_handle_message: Any = None


def prefetch_url(action_url: str) -> str:
    """``/prefetch`` beside the action server's ``/webhook``."""
    base = action_url.rstrip("/")
    return (base[: -len("/webhook")] if base.endswith("/webhook") else base) + "/prefetch"


async def _post_prefetch(endpoint: Any, body: dict[str, str]) -> None:
    import aiohttp

    try:
        timeout = aiohttp.ClientTimeout(total=PREFETCH_TIMEOUT_SECONDS)
        async with endpoint.session() as session, session.post(prefetch_url(endpoint.url), json=body,
                                                               timeout=timeout) as reply:
            await reply.read()
    except Exception as exc:  # only a head start: the answer does not depend on it
        logger.debug("prefetch not sent: %r", exc)


async def _handle_message(self: Any, message: Any) -> Any:
    """Rasa's ``Agent.handle_message``, after starting the action server on the text."""
    import asyncio

    text = getattr(message, "text", None)
    endpoint = getattr(self, "action_endpoint", None)
    if endpoint is not None and endpoint.url and isinstance(text, str) and text.strip() \
            and not text.startswith("/"):
        metadata = getattr(message, "metadata", None) or {}
        ip = metadata.get("client_ip") if isinstance(metadata, dict) else None
        body = {"text": text, "sender": str(getattr(message, "sender_id", "") or ""),
                "client_ip": ip if isinstance(ip, str) else ""}
        task = asyncio.ensure_future(_post_prefetch(endpoint, body))
        _prefetches.add(task)
        task.add_done_callback(_prefetches.discard)
    return await _original_handle_message(self, message)


def install() -> None:
    global _original_handle_message
    from rasa.core.agent import Agent

    _original_handle_message = Agent.handle_message
    Agent.handle_message = _handle_message  # type: ignore[method-assign]
