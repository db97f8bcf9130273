"""Reading the JSON bodies of the action server's own routes (``/suggest``, ``/prefetch``)."""

from __future__ import annotations

import json
from typing import Any

MAX_TEXT_CHARS = 5000


def text_body(body: bytes, error: type[ValueError]) -> tuple[dict[str, Any], str]:
    """(the JSON object, its non-empty ``text``) of ``body``, or ``error`` naming what is wrong."""
    try:
        payload: Any = json.loads(body or b"")
    except (ValueError, UnicodeDecodeError) as exc:
        raise error("body is not valid JSON") from exc
    if not isinstance(payload, dict):
        raise error("body must be a JSON object")
    text = payload.get("text")
    if not isinstance(text, str) or not text.strip():
        raise error("text must be a non-empty string")
    if len(text) > MAX_TEXT_CHARS:
        raise error(f"text is longer than {MAX_TEXT_CHARS} characters")
    return payload, text
