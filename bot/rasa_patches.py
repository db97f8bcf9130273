"""Fixes to Rasa 3.6 internals that cost every message, installed from inside the Rasa process.

Rasa validates each action-server response with ``jsonschema.validate``, which
re-checks the schema itself on every call: py-spy showed 68% of the Rasa
server's CPU there under load. The same validation with the validator built
once keeps every check and drops that cost.

Rasa also finds an event's class by walking every subclass of ``Event`` for each
event it deserialises (19% of the CPU after the first fix); a lookup table that
is filled on first use gives the same classes.

Rasa opens a new HTTP session, and so a new TCP connection, for every call to the
action server (``EndpointConfig.request``): connection set-up was 7% of the Rasa
server's samples (py-spy, one customer at a time). Calls now share one keep-alive
session per endpoint settings and event loop.

Rasa runs its model graph (tokeniser, featurisers, classifier; then the policies) through
dask's scheduler, twice or three times per message, after pruning the graph schema each
time: about 10% of the Rasa server's samples were that bookkeeping. ``_run_graph`` runs
the same nodes in dependency order with the pruned graph kept per target list.

Each customer message is also posted to the action server's ``/prefetch`` as it
arrives, before the lock, the tracker and the policies: the action server embeds it
on its own core meanwhile (``actions/prefetch.py``).
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

logger = logging.getLogger(__name__)
_installed = False


@lru_cache(maxsize=1)
def _action_response_validator() -> Any:
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    return validator_for(schema)(schema)


def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
    from jsonschema import ValidationError
    from rasa.shared.constants import DOCS_BASE_URL

    try:
        _action_response_validator().validate(result)
    except ValidationError as e:
        e.message += (
            ". Failed to validate Action server response from API, make sure your response from the "
            f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise
    return True


_event_classes: dict[str, Any] = {}
_original_resolve_by_type: Any = None


def _resolve_event_by_type(type_name: str, default: Any = None) -> Any:
    cls = _event_classes.get(type_name)
    if cls is None:
        cls = _original_resolve_by_type(type_name, default)
        if cls is not None and cls is not default:
            _event_classes[type_name] = cls
    return cls


async def _save_or_fail(self: Any, tracker: Any) -> None:
    """Rasa's FailSafeTrackerStore saves to memory when Redis fails, and the channel then
    reports success: the message is lost when the process ends. Fail instead, so the
    channel can say the message was not accepted (and Messenger's inbox retries it)."""
    try:
        await self._tracker_store.save(tracker)
    except Exception:
        logger.error("saving conversation %s failed; the message is refused, not kept in memory",
                     getattr(tracker, "sender_id", "?"))
        raise


class _Borrowed:
    """``async with`` on a shared session, which leaves it open for the next request."""

    def __init__(self, session: Any) -> None:
        self._session = session

    async def __aenter__(self) -> Any:
        return self._session

    async def __aexit__(self, *exc: object) -> None:
        return None


_sessions: dict[tuple[Any, ...], Any] = {}


def _shared_session(self: Any) -> Any:
    """Rasa's ``EndpointConfig.session`` (same headers, auth and timeout), kept open and reused."""
    import asyncio

    import aiohttp
    from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT

    loop = asyncio.get_running_loop()
    auth = self.basic_auth or {}
    key = (id(loop), tuple(sorted((self.headers or {}).items())), auth.get("username"), auth.get("password"))
    session = _sessions.get(key)
    if session is None or session.closed or session.loop is not loop:
        session = aiohttp.ClientSession(
            headers=self.headers,
            auth=aiohttp.BasicAuth(auth["username"], auth["password"]) if auth else None,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        )
        _sessions[key] = session
    return _Borrowed(session)


def _run_graph(self: Any, inputs: dict[str, Any] | None = None, targets: list[str] | None = None) -> dict[str, Any]:
    """``DaskGraphRunner.run`` without dask: each needed node once, its needs first."""
    from rasa.engine.exceptions import GraphRunError

    run_targets = list(targets) if targets else list(self._graph_schema.target_names)
    cache = self.__dict__.setdefault("_bot_graphs", {})
    graph = cache.get(tuple(run_targets))
    if graph is None:
        schema = self._graph_schema.minimal_graph_schema(run_targets)
        graph = {name: (self._instantiated_nodes[name], list(node.needs.values()))
                 for name, node in schema.nodes.items()}
        cache[tuple(run_targets)] = graph
    values: dict[str, Any] = {}
    for name, value in (inputs or {}).items():
        if isinstance(value, str) and value in graph:
            raise GraphRunError(f"Input value '{value}' clashes with a node name. Make sure that none of "
                                "the input names passed to the `run` method are the same as node names.")
        values[name] = (name, value)  # what dask made of an input: a literal (name, value) pair

    def result(name: str) -> Any:
        if name not in values:
            node, needs = graph[name]
            values[name] = node(*[result(need) for need in needs])
        return values[name]

    try:
        return dict(result(target) for target in run_targets)
    except RuntimeError as e:
        raise GraphRunError("Error running runner.") from e


PREFETCH_TIMEOUT_SECONDS = 2.0
_prefetches: set[Any] = set()
_original_handle_message: Any = None


def prefetch_url(action_url: str) -> str:
    """``/prefetch`` beside the action server's ``/webhook``."""
    base = action_url.rstrip("/")
    return (base[: -len("/webhook")] if base.endswith("/webhook") else base) + "/prefetch"


async def _post_prefetch(endpoint: Any, text: str) -> None:
    import aiohttp

    try:
        timeout = aiohttp.ClientTimeout(total=PREFETCH_TIMEOUT_SECONDS)
        async with endpoint.session() as session, session.post(prefetch_url(endpoint.url), json={"text": text},
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
        task = asyncio.ensure_future(_post_prefetch(endpoint, text))
        _prefetches.add(task)
        task.add_done_callback(_prefetches.discard)
    return await _original_handle_message(self, message)


def install() -> None:
    """Apply the patches once per process (idempotent)."""
    global _installed, _original_resolve_by_type, _original_handle_message
    if _installed:
        return
    from rasa.core.actions.action import RemoteAction
    from rasa.core.agent import Agent
    from rasa.core.tracker_store import FailSafeTrackerStore
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.shared.core.events import Event
    from rasa.utils.endpoints import EndpointConfig

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    FailSafeTrackerStore.save = _save_or_fail  # type: ignore[method-assign]
    EndpointConfig.session = _shared_session  # type: ignore[method-assign]
    DaskGraphRunner.run = _run_graph  # type: ignore[method-assign]
    _original_handle_message = Agent.handle_message
    Agent.handle_message = _handle_message  # type: ignore[method-assign]
    _original_resolve_by_type = Event.resolve_by_type
    Event.resolve_by_type = staticmethod(_resolve_event_by_type)  # type: ignore[method-assign, assignment]
    _installed = True
    logger.info("installed Rasa patches: cached action-response validator, event class lookup, "
                "tracker store errors refused instead of kept in memory, keep-alive sessions to endpoints, "
                "graph runs without dask, prefetch on the action server")
