"""The OpenAPI 3.1 document of the handoff service, served at ``/api/openapi.json``: built from the live
router and each handler's ``handoff.contract`` (so every route is in it), its schemas generated from the
pydantic models the handlers parse with. Built on the first request and kept for the app's life."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from pydantic import TypeAdapter
from pydantic.json_schema import JsonSchemaMode

from handoff.contract import JSON, Auth, Contract, contract, contract_of
from handoff.schemas import ErrorOut

DOCUMENT = web.AppKey("openapi_document", dict)  # filled on the first request (an app's state can't change later)
REF = "#/components/schemas/{model}"
FORM = "application/x-www-form-urlencoded"
# Files served as they are, not an API: the widget's and the console's scripts and styles.
STATIC_FILES = frozenset({("GET", "/widget/widget.js"), ("GET", "/widget/widget.css"),
                          ("GET", "/widget/vendor/socket.io.min.js"), ("GET", "/console/{name}")})
ANY_SEGMENT = "[^{}/]+"  # aiohttp's pattern of a bare ``{name}``
GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<regex>[^()]*)\)")
# Contracts of handlers whose modules don't carry ``@contract`` (the probes, Prometheus's scrape).
ROUTE_CONTRACTS = {
    ("GET", "/ready"): Contract("200 when Redis answers and every background loop runs; 503 with the reasons",
                                auth=Auth.PUBLIC, ok=(200, 503), reply=dict[str, Any], errors=()),
    ("GET", "/metrics"): Contract("Prometheus text: queue, tickets, latencies, process (service token or a session)",
                                  auth=Auth.SERVICE_OR_SESSION, media="text/plain", errors=(401,)),
}
SECURITY: dict[Auth, list[dict[str, list[str]]]] = {
    Auth.SESSION: [{"session": [], "csrf": []}], Auth.SERVICE: [{"service": []}],
    Auth.SERVICE_OR_SESSION: [{"service": []}, {"session": []}], Auth.INBOUND: [{"inbound": []}], Auth.PUBLIC: [],
}
SCHEMES = {"session": {"type": "apiKey", "in": "cookie", "name": "ho_session"},
           "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token",
                    "description": "the session's token from GET /api/me; on every change"},
           "service": {"type": "http", "scheme": "bearer", "description": "HANDOFF_SERVICE_TOKEN"},
           "inbound": {"type": "http", "scheme": "bearer", "description": "HANDOFF_INBOUND_EMAIL_TOKEN"}}


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    regexes: dict[str, str]  # path parameter -> the route's regular expression for it
    contract: Contract


def operations(app: web.Application) -> Iterator[Operation]:
    """The app's routes with a contract (HEAD is GET's twin, static files are no API)."""
    for route in app.router.routes():
        path = route.resource.canonical if route.resource else ""
        found = contract_of(route.handler) or ROUTE_CONTRACTS.get((route.method, path))
        if route.method == "HEAD" or (route.method, path) in STATIC_FILES or found is None:
            continue
        pattern = route.resource.get_info().get("pattern") if route.resource else None
        regexes = {m["name"]: m["regex"] for m in GROUP.finditer(pattern.pattern)} if pattern else {}
        yield Operation(route.method, path, regexes, found)


def document(app: web.Application) -> dict[str, Any]:
    ops = list(operations(app))
    schemas, components = _schemas(ops)
    paths: dict[str, dict[str, Any]] = {}
    for op in ops:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op, schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Volta Care handoff service", "version": "0.2.0",
                 "description": "Tickets, the human queue and the moderator console's API."},
        "paths": paths,
        "components": {"securitySchemes": SCHEMES, "schemas": components},
    }


def _schemas(ops: list[Operation]) -> tuple[dict[tuple[int, str], Any], dict[str, Any]]:
    """Every body and answer type's schema, their models under ``components`` (names made unique by pydantic)."""
    wanted: dict[tuple[int, str], TypeAdapter[Any]] = {(id(ErrorOut), "serialization"): TypeAdapter(ErrorOut)}
    for op in ops:
        if op.contract.body is not None:
            wanted[(id(op.contract.body), "validation")] = TypeAdapter(op.contract.body)
        if op.contract.reply is not None:
            wanted[(id(op.contract.reply), "serialization")] = TypeAdapter(op.contract.reply)
    inputs: list[tuple[tuple[int, str], JsonSchemaMode, TypeAdapter[Any]]] = [
        (key, "validation" if key[1] == "validation" else "serialization", adapter) for key, adapter in wanted.items()]
    made, definitions = TypeAdapter.json_schemas(inputs, ref_template=REF)
    return {key: schema for (key, _), schema in made.items()}, definitions.get("$defs", {})


def _operation(op: Operation, schemas: dict[tuple[int, str], Any]) -> dict[str, Any]:
    c = op.contract
    out: dict[str, Any] = {"summary": c.summary, "security": SECURITY[c.auth], "responses": _responses(c, schemas)}
    parameters = [*_path_parameters(op), *_query_parameters(c)]
    if parameters:
        out["parameters"] = parameters
    if c.body is not None:
        schema = schemas[(id(c.body), "validation")]
        media = [JSON, FORM] if c.form else [JSON]
        out["requestBody"] = {"required": c.body_required, "content": {m: {"schema": schema} for m in media}}
    return out


def _responses(c: Contract, schemas: dict[tuple[int, str], Any]) -> dict[str, Any]:
    if c.reply is not None:
        content: dict[str, Any] = {c.media: {"schema": schemas[(id(c.reply), "serialization")]}}
    else:
        content = {c.media: {"schema": {"type": "string"}}} if c.media else {}
    ok = c.ok if isinstance(c.ok, tuple) else (c.ok,)
    out: dict[str, Any] = {str(s): {"description": "done", **({"content": content} if content else {})} for s in ok}
    error = {JSON: {"schema": schemas[(id(ErrorOut), "serialization")]}}
    for status in c.errors:
        out[str(status)] = {"description": "refused: the message names the field or the thing", "content": error}
    return out


def _path_parameters(op: Operation) -> list[dict[str, Any]]:
    def schema(name: str) -> dict[str, Any]:
        if name in op.contract.path:
            return TypeAdapter(op.contract.path[name]).json_schema()
        regex = op.regexes.get(name, ANY_SEGMENT)
        return {"type": "string", "minLength": 1} if regex == ANY_SEGMENT else {"type": "string",
                                                                                "pattern": f"^{regex}$"}

    names = re.findall(r"{(\w+)}", op.path)
    return [{"name": n, "in": "path", "required": True, "schema": schema(n)} for n in names]


def _query_parameters(c: Contract) -> list[dict[str, Any]]:
    if c.query is None:
        return []
    schema = TypeAdapter(c.query).json_schema()
    required = set(schema.get("required", []))
    return [{"name": name, "in": "query", "required": name in required, "schema": field}
            for name, field in schema.get("properties", {}).items()]


@contract("This document", reply=dict[str, Any], errors=(401,))
async def openapi(request: web.Request) -> web.Response:
    cache = request.app[DOCUMENT]
    if not cache:
        cache.update(document(request.app))
    return web.json_response(cache)


def setup_openapi(app: web.Application) -> None:
    app[DOCUMENT] = {}
    app.router.add_get("/api/openapi.json", openapi)
