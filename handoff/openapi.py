"""The OpenAPI 3.0 document of the handoff service's HTTP API, served at ``/api/openapi.json``."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from handoff.models import TICKET_ID_PATTERN

ERROR = {"description": "error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
TICKET_ID = {"name": "ticket_id", "in": "path", "required": True,
             "schema": {"type": "string", "pattern": f"^{TICKET_ID_PATTERN}$"}}
CONVERSATION_ID = {"type": "string", "pattern": "^(web:[0-9a-f-]{36}|messenger:[0-9]{1,32}|[A-Za-z0-9_.-]{1,64})$",
                   "description": "web:<uuid4>, messenger:<digits> or 1-64 of A-Z a-z 0-9 _ . -"}
JSON_OBJECT = {"application/json": {"schema": {"type": "object"}}}


def _op(summary: str, *, body: dict[str, Any] | None = None, params: list[dict[str, Any]] | None = None,
        security: str = "session", ok: str = "200") -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": summary,
        "responses": {ok: {"description": "ok", "content": JSON_OBJECT}, "400": ERROR, "401": ERROR,
                      "403": ERROR, "404": ERROR, "409": ERROR},
        "security": [{"session": [], "csrf": []}] if security == "session" else [{"service": []}],
    }
    if params:
        op["parameters"] = params
    if body:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    return op


def _text_body(max_length: int = 4000) -> dict[str, Any]:
    return {"type": "object", "required": ["text"], "additionalProperties": False,
            "properties": {"text": {"type": "string", "minLength": 1, "maxLength": max_length}}}


def _reply_body() -> dict[str, Any]:
    body = _text_body()
    body["properties"]["visibility"] = {"type": "string", "enum": ["public", "private"],
                                        "description": "public comments only; default public"}
    return body


def document() -> dict[str, Any]:
    t = [TICKET_ID]
    return {
        "openapi": "3.0.3",
        "info": {"title": "Volta Care handoff service", "version": "0.1.0",
                 "description": "Tickets, the human queue and the moderator console's API."},
        "paths": {
            "/api/me": {"get": _op("The signed-in moderator and their CSRF token")},
            "/api/queue": {"get": _op("Open tickets, waiting first by priority, with SLA clocks")},
            "/api/tickets/recent": {"get": _op("Recently resolved tickets")},
            "/api/tickets/{ticket_id}": {"get": _op("A ticket with transcript, notes, history, suggestions", params=t)},
            "/api/tickets/{ticket_id}/claim": {"post": _op("Take a waiting ticket (409 if taken)", params=t)},
            "/api/tickets/{ticket_id}/reply": {"post": _op(
                "Reply to the customer in their channel; a public comment's reply goes under the comment or as "
                "its one private reply (409 when used)", params=t, body=_reply_body())},
            "/api/tickets/{ticket_id}/typing": {"post": _op("The owner is typing: shown to the customer (at most "
                                                            "once every few seconds)", params=t, ok="202")},
            "/api/tickets/{ticket_id}/notes": {"post": _op("Add an internal note", params=t, body=_text_body(),
                                                           ok="201")},
            "/api/tickets/{ticket_id}/tags": {"put": _op("Replace the tags", params=t, body={
                "type": "object", "required": ["tags"], "properties": {
                    "tags": {"type": "array", "maxItems": 10, "items": {"type": "string", "maxLength": 40}}}})},
            "/api/tickets/{ticket_id}/transfer": {"post": _op("Give the ticket to another moderator", params=t, body={
                "type": "object", "required": ["to"], "properties": {"to": {"type": "string"}}})},
            "/api/tickets/{ticket_id}/resolve": {"post": _op("Close as solved; the bot owns the conversation again",
                                                             params=t)},
            "/api/tickets/{ticket_id}/handback": {"post": _op("Give the conversation back to the bot", params=t)},
            "/api/moderators": {"get": _op("Accounts a ticket can be transferred to")},
            "/api/stats": {"get": _op("Queue length, waiting, first-response and resolution times, handoff rate")},
            "/api/live": {"get": {**_op("Server-sent events: ticket changes and new messages"),
                                  "responses": {"200": {"description": "text/event-stream"}, "401": ERROR}}},
            "/internal/tickets": {"post": _op("Hand a conversation to people (action server)", security="service",
                                              ok="201", body={
                "type": "object", "required": ["conversation_id"], "properties": {
                    "conversation_id": CONVERSATION_ID,
                    "lang": {"type": "string", "enum": ["pl", "en"]},
                    "customer_name": {"type": "string", "maxLength": 80},
                    "reasons": {"type": "array", "items": {"type": "string"}, "maxItems": 20},
                    "evidence": {"type": "array", "items": {"type": "object"}},
                    "client_ip": {"type": "string", "maxLength": 45,
                                  "description": "as the channel saw it; may be empty"},
                    "exchanges": {"type": "integer", "minimum": 0, "maximum": 10000,
                                  "description": "times the bot answered and the customer wrote again"}}})},
            "/internal/conversations/{conversation_id}": {"get": _op(
                "Who owns a conversation: bot, queue or moderator", security="service",
                params=[{"name": "conversation_id", "in": "path", "required": True, "schema": CONVERSATION_ID}])},
            "/api/admin/archive/failed": {"get": _op(
                "Conversations set aside after failing to archive, newest first (admin)")},
            "/api/admin/archive/failed/{conversation_id}/retry": {"post": _op(
                "Archive a set-aside conversation again on the archiver's next pass (admin)", ok="202",
                params=[{"name": "conversation_id", "in": "path", "required": True,
                         "schema": {"type": "string", "minLength": 1, "maxLength": 200}}])},
            "/metrics": {"get": {"summary": "Prometheus text", "security": [{"service": []}, {"session": []}],
                                 "responses": {"200": {"description": "text/plain"}, "401": ERROR}}},
        },
        "components": {
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "ho_session"},
                "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token"},
                "service": {"type": "http", "scheme": "bearer"},
            },
            "schemas": {"Error": {"type": "object", "required": ["error"],
                                  "properties": {"error": {"type": "string"}}}},
        },
    }


async def openapi(request: web.Request) -> web.Response:
    return web.json_response(document())
