"""Domain errors of the handoff service; the API turns each into one JSON error with its status."""

from __future__ import annotations


class HandoffError(Exception):
    status = 400


class BadRequest(HandoffError):
    status = 400


class NotFound(HandoffError):
    status = 404


class Forbidden(HandoffError):
    status = 403


class Conflict(HandoffError):
    status = 409


class TooManyOpen(HandoffError):
    status = 429
