"""What third-party widgets of Rasa's socket.io protocol send that the product's widget does not.

rasa-webchat (npm ``rasa-webchat`` 1.0.1, Botfront) and clients written after Rasa's
``SocketIOInput``:

- ask for a conversation with ``session_request {"session_id": null}`` and then use the id the
  server confirms (``session_confirm``), also in each ``user_uttered`` and in the
  ``session_request`` of every reconnection; here the server makes a ``web:<uuid4>``;
- send ``customData`` (``{"language": "en"}`` by default) in every ``user_uttered`` where the
  product's widget sends ``metadata``; it is reduced to the same fields (``lang``, ``page``), and
  ``metadata`` wins for a field both carry validly (it is the product's, and Rasa's, own key).

Plain functions, so the rules are tested without Rasa; the widget channel (``webchat.py``) calls them.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from bot.core.conversation_ids import WEB_PREFIX, valid_web_id
from bot.rasa_side.channels.clients import LANG, PAGE, customer_metadata

MAX_CUSTOM_DATA_BYTES = 4096  # a message's customData as JSON; more is refused, not cut
CUSTOM_DATA = "customData"  # rasa-webchat's key (Rasa's own channel reads ``metadata`` only)
METADATA = "metadata"
_CHANNEL_PREFIX = re.compile(r"^[a-z]+:")  # messenger:, comment:, ...: ids a browser never speaks for


def new_web_id() -> str:
    return f"{WEB_PREFIX}{uuid.uuid4()}"


def session_to_open(requested: Any, current: str | None) -> str | None:
    """The conversation a ``session_request`` opens: a requested ``web:<uuid4>`` as it is; for none,
    or an id without a channel prefix (a REST-form id such as the 32 hex digits stock Rasa's clients
    kept: such a widget is given a conversation of its own, never the REST one), the socket's
    conversation if it has one, else a new server-made ``web:<uuid4>``; None (refused) for an id
    that names another channel (``messenger:``, ``comment:``, any other ``prefix:``)."""
    if valid_web_id(requested):
        return requested
    if names_another_channel(requested):
        return None
    return current or new_web_id()


def names_another_channel(value: Any) -> bool:
    return isinstance(value, str) and _CHANNEL_PREFIX.match(value) is not None \
        and not value.startswith(WEB_PREFIX)


def too_large(value: Any) -> bool:
    """Whether ``value`` (from the client) is over ``MAX_CUSTOM_DATA_BYTES`` as JSON."""
    if value is None:
        return False
    try:
        size = len(json.dumps(value, ensure_ascii=False).encode())
    except (TypeError, ValueError, RecursionError):
        return True
    return size > MAX_CUSTOM_DATA_BYTES


def custom_data_too_large(message: dict[str, Any]) -> bool:
    """Whether a ``user_uttered``'s ``customData`` is over ``MAX_CUSTOM_DATA_BYTES`` as JSON (its
    ``metadata`` stays as it was: reduced to the known fields, whatever its size)."""
    return too_large(message.get(CUSTOM_DATA))


def message_metadata(message: dict[str, Any], ip: str, max_page_chars: int) -> dict[str, str]:
    """A ``user_uttered``'s kept metadata: ``customData`` and ``metadata`` each reduced to the
    known fields (``channels/clients.py``), ``metadata``'s valid ones over ``customData``'s."""
    from_custom = customer_metadata(custom_data_fields(message.get(CUSTOM_DATA)), ip, max_page_chars)
    return {**from_custom, **customer_metadata(message.get(METADATA), ip, max_page_chars)}


def custom_data_fields(custom: Any) -> dict[str, Any]:
    """rasa-webchat's ``customData`` named as the product's metadata: ``language`` (or ``lang``)
    to ``lang`` by its primary subtag ("pl-PL" is "pl"), ``page`` as it is."""
    if not isinstance(custom, dict):
        return {}
    fields: dict[str, Any] = {PAGE: custom.get(PAGE)}
    language = custom.get(LANG, custom.get("language"))
    if isinstance(language, str):
        fields[LANG] = re.split(r"[-_]", language, maxsplit=1)[0].lower()
    return fields
