"""Run by the Rasa venv's Python (see test_patches.py): Rasa's ``requires_auth`` after the
``api_token`` patch, on a handler as ``rasa.server.create_app`` wraps them. Prints one JSON object."""

import asyncio
import hmac
import json
from types import SimpleNamespace

import rasa.server

from bot.rasa_side import patches
from bot.rasa_side.patches import api_token

TOKEN = "api-token-0123456789"
compared: list[bytes] = []


def counting_compare_digest(a: bytes, b: bytes) -> bool:
    compared.append(a)
    return hmac.compare_digest(a, b)


api_token.hmac = SimpleNamespace(compare_digest=counting_compare_digest)  # type: ignore[assignment]
patches.install()
app = SimpleNamespace(config={}, ctx=SimpleNamespace())


async def status(request: object) -> str:
    return "ok"


handler = rasa.server.requires_auth(app, TOKEN)(status)
open_handler = rasa.server.requires_auth(app, None)(status)  # no --auth-token: Rasa's own behaviour


async def answer(call: object, headers: dict[str, str], args: dict[str, str]) -> int:
    request = SimpleNamespace(headers=headers, args=args, app=app)
    try:
        return 200 if await call(request) == "ok" else 500
    except rasa.server.ErrorResponse as exc:
        return int(getattr(exc, "status", 0))


async def main() -> dict[str, object]:
    return {
        "patched": rasa.server.requires_auth is api_token.requires_auth,
        "header": await answer(handler, {"Authorization": f"Bearer {TOKEN}"}, {}),
        "query": await answer(handler, {}, {"token": TOKEN}),
        "wrong_header": await answer(handler, {"Authorization": "Bearer api-token-0123456780"}, {}),
        "wrong_query": await answer(handler, {}, {"token": "nope"}),
        "other_scheme": await answer(handler, {"Authorization": f"Basic {TOKEN}"}, {}),
        "none": await answer(handler, {}, {}),
        "no_token_configured": await answer(open_handler, {}, {}),
        "compared_with_compare_digest": TOKEN.encode() in compared,
    }


print(json.dumps(asyncio.run(main())))
