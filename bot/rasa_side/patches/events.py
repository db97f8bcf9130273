"""Rasa finds an event's class by walking every subclass of ``Event`` for each event it
deserialises (19% of the CPU after the validation fix); a lookup table filled on first use
gives the same classes."""

from __future__ import annotations

from typing import Any

_event_classes: dict[str, Any] = {}
_original_resolve_by_type: Any = None


def _resolve_event_by_type(type_name: str, default: Any = None) -> Any:
    cls = _event_classes.get(type_name)
    if cls is None:
        cls = _original_resolve_by_type(type_name, default)
        if cls is not None and cls is not default:
            _event_classes[type_name] = cls
    return cls


def install() -> None:
    global _original_resolve_by_type
    from rasa.shared.core.events import Event

    _original_resolve_by_type = Event.resolve_by_type
    Event.resolve_by_type = staticmethod(_resolve_event_by_type)  # type: ignore[method-assign, assignment]
