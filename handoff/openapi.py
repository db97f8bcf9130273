"""The OpenAPI 3.0 document of the handoff service's HTTP API, served at ``/api/openapi.json``."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from handoff import canned_api, consult_api, crisis_api, pending_api, sla_api, teams_api
from handoff.models import TICKET_ID_PATTERN

ERROR = {"description": "error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
TICKET_ID = {"name": "ticket_id", "in": "path", "required": True,
             "schema": {"type": "string", "pattern": f"^{TICKET_ID_PATTERN}$"}}
CONVERSATION_ID = {"type": "string", "pattern": "^(web:[0-9a-f-]{36}|messenger:[0-9]{1,32}|[A-Za-z0-9_.-]{1,64})$",
                   "description": "web:<uuid4>, messenger:<digits> or 1-64 of A-Z a-z 0-9 _ . -"}
JSON_OBJECT = {"application/json": {"schema": {"type": "object"}}}
WINDOW = {"name": "window", "in": "query", "required": False,
          "schema": {"type": "string", "enum": ["today", "7d", "30d"]}}  # handoff.reports.WINDOW_DAYS


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


def _note_body() -> dict[str, Any]:
    body = _text_body()
    body["properties"]["important"] = {"type": "boolean", "description": "shown in the shift handover"}
    return body


def search_params() -> list[dict[str, Any]]:
    """``handoff.search``: every filter optional, in the URL so a view can be shared."""
    def q(name: str, schema: dict[str, Any], about: str) -> dict[str, Any]:
        return {"name": name, "in": "query", "required": False, "schema": schema, "description": about}

    text = {"type": "string", "maxLength": 64}
    return [q("q", {"type": "string", "maxLength": 200}, "ticket or conversation id, name, tags, notes"),
            q("channel", {"type": "string", "enum": ["webchat", "messenger", "comment", "rest"]}, "channel"),
            q("owner", text, "owner's login"), q("tag", {"type": "string", "maxLength": 40}, "a tag"),
            q("state", {"type": "string", "enum": ["queued", "assigned", "resolved"]}, "state"),
            q("team", text, "team"),
            q("from", {"type": "string"}, "created at or after: epoch seconds or ISO 8601 (UTC unless zoned)"),
            q("to", {"type": "string"}, "created at or before; a bare date means its whole day"),
            q("sort", {"type": "string", "enum": ["newest", "oldest"]}, "order by creation"),
            q("limit", {"type": "integer", "minimum": 1, "maximum": 100}, "tickets a page, default 25"),
            q("cursor", {"type": "string"}, "next_cursor of the previous page")]


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
            "/api/tickets/search": {"get": _op(
                "Find tickets (newest or oldest first, a bounded scan of the ticket index; next_cursor goes on)",
                params=search_params())},
            "/api/tickets/{ticket_id}/reopen": {"post": _op(
                "Reopen a resolved ticket (409 if open, or its conversation has another open ticket)", params=t)},
            "/api/handover": {"get": _op("The shift handover: open tickets by owner, promised times due in the "
                                         "next shift, important notes")},
            "/api/tickets/{ticket_id}": {"get": _op("A ticket with transcript, notes, history, suggestions", params=t)},
            "/api/tickets/{ticket_id}/claim": {"post": _op("Take a waiting ticket (409 if taken)", params=t)},
            "/api/tickets/{ticket_id}/reply": {"post": _op(
                "Reply to the customer in their channel; a public comment's reply goes under the comment or as "
                "its one private reply (409 when used)", params=t, body=_reply_body())},
            "/api/tickets/{ticket_id}/typing": {"post": _op("The owner is typing: shown to the customer (at most "
                                                            "once every few seconds)", params=t, ok="202")},
            "/api/tickets/{ticket_id}/notes": {"post": _op("Add an internal note", params=t, body=_note_body(),
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
            "/api/stats": {"get": _op("Queue length, waiting, first-response and resolution times, handoff rate; "
                                      "with ?window= also percentiles per channel, team and day", params=[WINDOW])},
            "/api/stats.csv": {"get": {**_op("The window's tickets as CSV", params=[WINDOW]), "responses": {
                "200": {"description": "text/csv"}, "400": ERROR, "401": ERROR}}},
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
            "/internal/ratings": {"post": _op(
                "The customer's 1-5 rating of a resolved ticket, and a comment; replaceable for a few minutes "
                "(action server)", security="service", body={
                    "type": "object", "required": ["conversation_id", "ticket", "score"], "properties": {
                        "conversation_id": CONVERSATION_ID,
                        "ticket": {"type": "string", "pattern": f"^{TICKET_ID_PATTERN}$"},
                        "score": {"type": "integer", "minimum": 1, "maximum": 5},
                        "comment": {"type": "string", "maxLength": 1000}}})},
            "/internal/conversations/{conversation_id}": {"get": _op(
                "Who owns a conversation: bot, queue or moderator", security="service",
                params=[{"name": "conversation_id", "in": "path", "required": True, "schema": CONVERSATION_ID}])},
            "/api/admin/answer_ratings": {"get": _op(
                "FAQ answers customers rated not helpful most, with example questions (admin)")},
            "/api/admin/archive/failed": {"get": _op(
                "Conversations set aside after failing to archive, newest first (admin)")},
            "/api/admin/archive/failed/{conversation_id}/retry": {"post": _op(
                "Archive a set-aside conversation again on the archiver's next pass (admin)", ok="202",
                params=[{"name": "conversation_id", "in": "path", "required": True,
                         "schema": {"type": "string", "minLength": 1, "maxLength": 200}}])},
            **canned_api.openapi_paths(_op, TICKET_ID),
            **teams_api.openapi_paths(_op),
            **pending_api.openapi_paths(_op, TICKET_ID),
            **consult_api.openapi_paths(_op, TICKET_ID),
            **crisis_api.openapi_paths(_op),
            **sla_api.openapi_paths(_op),
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
