import re
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from handoff import widget
from handoff.app import create_app
from handoff.settings import DEFAULT_PUBLIC_RASA_URL, Settings, SettingsError

SECRETS = {"RASA_TOKEN": "r" * 20, "HANDOFF_SERVICE_TOKEN": "s" * 20}

REDIS = "redis://127.0.0.1:1/0"  # never contacted by these routes
RASA = "https://rasa.shop.example:5005"


async def client_for(aiohttp_client: TestClient, rasa_url: str = RASA) -> TestClient:
    return await aiohttp_client(create_app(Settings("127.0.0.1", 0, REDIS, public_rasa_url=rasa_url)))


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/widget/widget.js", "text/javascript"),
        ("/widget/widget.css", "text/css"),
        ("/widget/vendor/socket.io.min.js", "text/javascript"),
        ("/demo", "text/html"),
    ],
)
async def test_widget_files_are_served_with_type_and_charset(
    aiohttp_client: TestClient, path: str, content_type: str
) -> None:
    client = await client_for(aiohttp_client)
    response = await client.get(path)
    assert response.status == 200, await response.text()
    assert response.headers["Content-Type"] == f"{content_type}; charset=utf-8"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-cache"
    assert await response.read()


async def test_an_unchanged_file_is_revalidated_with_304(aiohttp_client: TestClient) -> None:
    client = await client_for(aiohttp_client)
    first = await client.get("/widget/widget.js")
    again = await client.get("/widget/widget.js", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status == 304
    assert await again.read() == b""


async def test_vendor_route_serves_the_installed_socket_io_client(aiohttp_client: TestClient) -> None:
    client = await client_for(aiohttp_client)
    body = await (await client.get("/widget/vendor/socket.io.min.js")).text()
    assert body == widget.SOCKET_IO_CLIENT.read_text("utf-8")
    assert "Socket.IO v4." in body[:200]


async def test_missing_node_modules_gives_503_telling_to_run_setup(
    aiohttp_client: TestClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(widget, "SOCKET_IO_CLIENT", tmp_path / "node_modules" / "socket.io.min.js")
    client = await client_for(aiohttp_client)
    response = await client.get("/widget/vendor/socket.io.min.js")
    assert response.status == 503
    assert "make setup" in await response.text()
    assert (await client.get("/widget/widget.js")).status == 200  # the rest still works


async def test_demo_page_embeds_the_widget_with_the_configured_rasa_url(aiohttp_client: TestClient) -> None:
    client = await client_for(aiohttp_client)
    page = await (await client.get("/demo")).text()
    tags = re.findall(r"<script [^>]*></script>", page)
    assert tags == [f'<script src="/widget/widget.js" data-rasa-url="{RASA}" data-lang="pl" '
                    'data-title="Sklep Demo – czat" defer></script>']
    assert "Sklep Demo" in page
    assert "{{" not in page


def test_public_rasa_url_defaults_to_the_local_rasa() -> None:
    assert Settings.from_env(SECRETS).public_rasa_url == DEFAULT_PUBLIC_RASA_URL == "http://127.0.0.1:5005"
    assert Settings.from_env({**SECRETS, "PUBLIC_RASA_URL": RASA}).public_rasa_url == RASA


@pytest.mark.parametrize(
    "url", ["rasa.example:5005", "ftp://rasa.example", "http://", "ws://rasa.example", 'http://x" onload="y', ""]
)
def test_public_rasa_url_must_be_http_or_https(url: str) -> None:
    with pytest.raises(SettingsError, match="PUBLIC_RASA_URL"):
        Settings.from_env({**SECRETS, "PUBLIC_RASA_URL": url})
