"""Rasa's HTTP API token (``--auth-token``): Rasa compares it with ``==``, which answers faster
the earlier a guess goes wrong, and takes it only in the URL (``?token=``), which access logs
and proxies keep. Here it is compared in constant time (``hmac.compare_digest``) and may also
come as ``Authorization: Bearer <token>``, which this product's callers send; ``?token=``
keeps working for Rasa's own tools. Anything else goes on to Rasa's own check (JWT, or 401)."""

from __future__ import annotations

import hmac
from functools import wraps
from inspect import isawaitable
from typing import Any

BEARER = "Bearer "
_original: Any = None


class _Never:
    """A token no request can match: Rasa's own check then only tries JWT, or answers 401."""

    def __eq__(self, other: object) -> bool:
        return False

    def __hash__(self) -> int:
        return 0


def token_matches(request: Any, token: str) -> bool:
    """Whether ``request`` carries ``token`` in its ``Authorization: Bearer`` header or ``?token=``."""
    if not token:
        return False
    expected = token.encode("utf-8")
    header = str(request.headers.get("Authorization") or "")
    given = [header[len(BEARER):].strip()] if header.startswith(BEARER) else []
    given += [str(request.args.get("token") or "")]
    # every candidate is compared, so the time taken does not depend on which one matched
    matches = [hmac.compare_digest(candidate.encode("utf-8"), expected) for candidate in given]
    return any(matches)


def requires_auth(app: Any, token: str | None = None) -> Any:
    """``rasa.server.requires_auth`` with the token checked by ``token_matches``."""
    if token is None:  # no token: Rasa's own behaviour (JWT only, or no authentication)
        return _original(app, token)

    def decorator(handler: Any) -> Any:
        rasas = _original(app, _Never())(handler)

        @wraps(handler)
        async def decorated(request: Any, *args: Any, **kwargs: Any) -> Any:
            if token_matches(request, token):
                result = handler(request, *args, **kwargs)
                return await result if isawaitable(result) else result
            return await rasas(request, *args, **kwargs)

        return decorated

    return decorator


def install() -> None:
    global _original
    import rasa.server

    if _original is None:
        _original = rasa.server.requires_auth
    rasa.server.requires_auth = requires_auth
