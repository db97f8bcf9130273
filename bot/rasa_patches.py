"""Fixes to Rasa 3.6 internals that cost every message, installed from inside the Rasa process.

Rasa validates each action-server response with ``jsonschema.validate``, which
re-checks the schema itself on every call: py-spy showed 68% of the Rasa
server's CPU there under load. The same validation with the validator built
once keeps every check and drops that cost.

Rasa also finds an event's class by walking every subclass of ``Event`` for each
event it deserialises (19% of the CPU after the first fix); a lookup table that
is filled on first use gives the same classes.
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


def install() -> None:
    """Apply the patches once per process (idempotent)."""
    global _installed, _original_resolve_by_type
    if _installed:
        return
    from rasa.core.actions.action import RemoteAction
    from rasa.core.tracker_store import FailSafeTrackerStore
    from rasa.shared.core.events import Event

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    FailSafeTrackerStore.save = _save_or_fail  # type: ignore[method-assign]
    _original_resolve_by_type = Event.resolve_by_type
    Event.resolve_by_type = staticmethod(_resolve_event_by_type)  # type: ignore[method-assign, assignment]
    _installed = True
    logger.info("installed Rasa patches: cached action-response validator, event class lookup, "
                "tracker store errors refused instead of kept in memory")
