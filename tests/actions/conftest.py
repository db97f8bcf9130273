"""The action server's real Sanic app with the product's routes, served on a free loopback port."""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from rasa_sdk.endpoint import create_app
from rasa_sdk.executor import ActionExecutor
from sanic import Sanic

AddRoute = Callable[[Any], None]


@pytest.fixture
def serve_routes(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """``async with serve_routes(add_route, ...) as url``: rasa_sdk's app with those routes added."""
    monkeypatch.setattr(Sanic, "test_mode", True)  # rasa_sdk names every app "rasa_sdk"

    @asynccontextmanager
    async def serve(*add_routes: AddRoute) -> AsyncIterator[str]:
        app = create_app(ActionExecutor(), cors_origins=None)
        for add_route in add_routes:
            add_route(app)
        server = await app.create_server(host="127.0.0.1", port=0, return_asyncio_server=True, access_log=False)
        assert server is not None
        await server.startup()
        await server.before_start()
        await server.after_start()
        try:
            yield f"http://127.0.0.1:{server.server.sockets[0].getsockname()[1]}"
        finally:
            await server.before_stop()
            await server.close()
            await server.after_stop()

    return serve
