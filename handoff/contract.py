"""What each route takes and gives, in one place: ``@contract(...)`` on a handler says its summary,
who may call it, its body and query models and its answer's model; ``handoff.openapi`` reads these
from the live router, and the handlers parse their input through the same pydantic models
(``body_of``, ``query_of``), so the document cannot drift from the checks."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ConfigDict, ValidationError

from handoff.errors import BadRequest

MAX_BODY_BYTES = 64 * 1024
ATTRIBUTE = "handoff_contract"
JSON = "application/json"

M = TypeVar("M", bound=BaseModel)
H = TypeVar("H", bound=Callable[..., Any])


class Body(BaseModel):
    """A request body: strict types (``"3"`` is no number, ``1`` no boolean); unknown fields ignored."""

    model_config = ConfigDict(strict=True, extra="ignore")


class Auth(str, Enum):
    """Who may call a route (``handoff.web_auth`` enforces it; the document states it)."""

    SESSION = "session"  # the ho_session cookie; X-CSRF-Token on every change
    SERVICE = "service"  # Authorization: Bearer HANDOFF_SERVICE_TOKEN (the action server)
    SERVICE_OR_SESSION = "service_or_session"  # /metrics: Prometheus or a signed-in user
    INBOUND = "inbound"  # Authorization: Bearer HANDOFF_INBOUND_EMAIL_TOKEN (an inbound-mail service)
    PUBLIC = "public"


@dataclass(frozen=True)
class Contract:
    summary: str
    auth: Auth = Auth.SESSION
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    reply: Any = None  # a model or a type (``list[Model]``) of the success answer; None: described only
    ok: int | tuple[int, ...] = 200  # the success statuses (the first is the usual one)
    media: str = JSON  # of the success answer
    errors: tuple[int, ...] = (400, 401, 403, 404, 409, 503)  # answered as ``{"error": message}``; 503: Redis away
    body_required: bool = True
    form: bool = False  # the body may also come as a form (``application/x-www-form-urlencoded``)
    path: Mapping[str, Any] = field(default_factory=dict)  # path parameters' types, where the route's regex says less


def contract(summary: str, **details: Any) -> Callable[[H], H]:
    """Mark a handler with its contract (no wrapping: the handler runs as it is)."""
    made = Contract(summary, **details)

    def mark(handler: H) -> H:
        setattr(handler, ATTRIBUTE, made)
        return handler

    return mark


def contract_of(handler: object) -> Contract | None:
    found = getattr(handler, ATTRIBUTE, None)
    return found if isinstance(found, Contract) else None


async def json_object(request: web.Request) -> dict[str, Any]:
    """The request's JSON object body, capped at ``MAX_BODY_BYTES``."""
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise BadRequest(f"body larger than {MAX_BODY_BYTES} bytes")
    try:
        data = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BadRequest("body must be JSON") from None
    if not isinstance(data, dict):
        raise BadRequest("body must be a JSON object")
    return data


async def form_fields(request: web.Request) -> dict[str, Any]:
    """A form body; a malformed one (a multipart type without its boundary) is a 400, not a server error."""
    try:
        return dict(await request.post())
    except ValueError as e:
        raise BadRequest(f"body: not a form this service reads ({e})") from None


def validated(model: type[M], data: Mapping[str, Any]) -> M:
    """``data`` checked by ``model``; a 400 whose message names the first wrong field."""
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise BadRequest(error_message(e)) from None


async def body_of(request: web.Request, model: type[M]) -> M:
    return validated(model, await json_object(request))


def query_of(request: web.Request, model: type[M]) -> M:
    return validated(model, request.query)


def error_message(error: ValidationError) -> str:
    """The first problem: our own checks' messages as they are (they name their field), pydantic's
    own prefixed with the field's dotted path."""
    first = error.errors(include_url=False)[0]
    own = (first.get("ctx") or {}).get("error")
    if first["type"] == "value_error" and own is not None:
        return str(own)
    # the field's path, without pydantic's names of union members (``literal['a','b']``)
    where = ".".join(str(part) for part in first["loc"] if "[" not in str(part))
    return f"{where}: {first['msg']}" if where else str(first["msg"])
