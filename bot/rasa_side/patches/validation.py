"""Rasa validates each action-server response, and each body posted to the HTTP API's
``tracker/events`` (moderators' replies, queue updates), with ``jsonschema.validate``, which
re-checks the schema itself on every call: py-spy showed 68% of the Rasa server's CPU there
under load, and 47% in ``tracker/events`` during ``make test-abuse``. The same validation with
the validator built once keeps every check and drops that cost."""

from __future__ import annotations

from functools import lru_cache
from http import HTTPStatus
from typing import Any


@lru_cache(maxsize=1)
def _action_response_validator() -> Any:
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    return validator_for(schema)(schema)


@lru_cache(maxsize=1)
def _events_validator() -> Any:
    from jsonschema.validators import validator_for
    from rasa.shared.utils.schemas.events import EVENTS_SCHEMA

    return validator_for(EVENTS_SCHEMA)(EVENTS_SCHEMA)


def _validate_events_in_request_body(request: Any) -> None:
    """``rasa.server.validate_events_in_request_body`` with the validator built once."""
    import jsonschema
    from rasa.server import ErrorResponse, _docs

    events = request.json if isinstance(request.json, list) else [request.json]
    try:
        _events_validator().validate(events)
    except jsonschema.ValidationError as error:
        raise ErrorResponse(
            HTTPStatus.BAD_REQUEST, "BadRequest",
            f"Failed to validate the events format. For more information about the format visit the docs. "
            f"Error: {error}", help_url=_docs("/pages/http-api"),
        ) from error


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


def install() -> None:
    import rasa.server
    from rasa.core.actions.action import RemoteAction

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    rasa.server.validate_events_in_request_body = _validate_events_in_request_body
