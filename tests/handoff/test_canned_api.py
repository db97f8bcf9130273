"""Canned answers through the real app and Redis: admins change them, moderators read them, a
ticket gets them personalised; bad input is a 400 naming the field and changes nothing; the
command line's import and export round-trip."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis
import yaml
from aiohttp.test_utils import TestClient

from bot.core import keys
from handoff.admin import main
from tests.handoff.conftest import SERVICE_TOKEN, Factory, sign_in

SERVICE = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
WEB = "web:00000000-0000-4000-8000-000000000001"
ZWROT = {"shortcut": "zwrot", "title": "Zwrot towaru", "topic": "return_howto",
         "text": {"pl_ty": "Cześć {imie}, zwrot jest darmowy.", "en": "Hi {name}, returns are free."}}
HASLO = {"shortcut": "haslo", "title": "Hasło", "topic": "password_reset",
         "text": {"pl_ty": "<img src=x onerror=alert(1)> {imie}"}}


async def open_ticket(client: TestClient, name: str, lang: str = "pl") -> str:
    response = await client.post("/internal/tickets", headers=SERVICE, json={
        "conversation_id": WEB, "lang": lang, "reasons": ["human_request"], "customer_name": name,
        "evidence": [{"faq_id": "password_reset", "score": 0.7}]})
    assert response.status == 201, await response.text()
    return str((await response.json())["ticket"])


async def test_admins_change_canned_answers_and_moderators_read_them(aiohttp_client: Factory,
                                                                     app_client: TestClient) -> None:
    ola, anna = await sign_in(aiohttp_client, app_client, "ola"), await sign_in(aiohttp_client, app_client, "anna")
    assert (await anna.call("POST", "/api/admin/canned", ZWROT))[0] == 403
    assert await ola.call("POST", "/api/admin/canned", ZWROT) == (201, ZWROT)
    assert (await ola.call("POST", "/api/admin/canned", ZWROT))[0] == 409
    changed = {**ZWROT, "title": "Zwroty"}
    assert (await anna.call("PUT", "/api/admin/canned/zwrot", changed))[0] == 403
    assert await ola.call("PUT", "/api/admin/canned/zwrot", changed) == (200, changed)
    assert await anna.call("GET", "/api/canned") == (200, {"canned": [changed]})
    assert (await anna.call("DELETE", "/api/admin/canned/zwrot"))[0] == 403
    assert (await ola.call("DELETE", "/api/admin/canned/zwrot"))[0] == 200
    assert (await ola.call("DELETE", "/api/admin/canned/zwrot"))[0] == 404
    assert (await ola.call("PUT", "/api/admin/canned/zwrot", ZWROT))[0] == 404
    assert await anna.call("GET", "/api/canned") == (200, {"canned": []})


@pytest.mark.parametrize(("change", "field"), [
    ({"shortcut": "Zwrot!"}, "shortcut"), ({"title": "x" * 81}, "title"), ({"topic": "nope"}, "topic"),
    ({"text": {"pl_ty": "x" * 4001}}, "text.pl_ty"), ({"text": {"fr": "x"}}, "text.fr"), ({"id": 1}, "id"),
])
async def test_bad_answers_are_400_naming_the_field_and_change_nothing(
        aiohttp_client: Factory, app_client: TestClient, change: dict[str, Any], field: str) -> None:
    ola = await sign_in(aiohttp_client, app_client, "ola")
    assert (await ola.call("POST", "/api/admin/canned", ZWROT))[0] == 201
    status, body = await ola.call("POST", "/api/admin/canned", {**ZWROT, "shortcut": "inny", **change})
    assert status == 400 and body["error"].startswith(field)
    status, body = await ola.call("PUT", "/api/admin/canned/zwrot", {**ZWROT, **change})
    assert status == 400
    assert await ola.call("GET", "/api/canned") == (200, {"canned": [ZWROT]})


async def test_a_ticket_gets_them_personalised_its_topic_first(aiohttp_client: Factory,
                                                               app_client: TestClient) -> None:
    ola = await sign_in(aiohttp_client, app_client, "ola")
    for canned in (ZWROT, HASLO):
        assert (await ola.call("POST", "/api/admin/canned", canned))[0] == 201
    ticket = await open_ticket(app_client, "Zofia Kowalska")
    anna = await sign_in(aiohttp_client, app_client, "anna")
    status, body = await anna.call("GET", f"/api/tickets/{ticket}/canned")
    assert status == 200 and body["topic"] == "password_reset"
    assert [(c["shortcut"], c["text"]) for c in body["canned"]] == [
        ("haslo", "<img src=x onerror=alert(1)> Zofio"), ("zwrot", "Cześć Zofio, zwrot jest darmowy.")]
    assert (await anna.call("GET", "/api/tickets/T999/canned"))[0] == 404


async def test_an_english_ticket_without_a_name(aiohttp_client: Factory, app_client: TestClient) -> None:
    ola = await sign_in(aiohttp_client, app_client, "ola")
    assert (await ola.call("POST", "/api/admin/canned", ZWROT))[0] == 201
    ticket = await open_ticket(app_client, "", lang="en")
    status, body = await ola.call("GET", f"/api/tickets/{ticket}/canned")
    assert status == 200 and body["canned"][0]["variant"] == "en"
    assert body["canned"][0]["text"] == "Hi, returns are free."


def _cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


async def _stored(redis_url: str) -> dict[str, str]:
    client = aioredis.from_url(redis_url, decode_responses=True)
    try:
        return dict(await client.hgetall(keys.CANNED))
    finally:
        await client.aclose()


def test_import_and_export_round_trip(redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("REDIS_URL", redis_url)
    source = tmp_path / "canned.yml"
    source.write_text(yaml.safe_dump({"canned": [ZWROT, {**HASLO, "shortcut": "/haslo"}]}, allow_unicode=True))
    code, out, _err = _cli(["import-canned", str(source)], capsys)
    assert code == 0 and "imported 2" in out
    code, exported, _err = _cli(["export-canned"], capsys)
    assert code == 0 and yaml.safe_load(exported) == {"canned": [HASLO, ZWROT]}
    again = tmp_path / "again.yml"
    again.write_text(exported)
    before = asyncio.run(_stored(redis_url))
    assert _cli(["import-canned", str(again), "--replace"], capsys)[0] == 0
    assert asyncio.run(_stored(redis_url)) == before


def test_a_bad_file_changes_nothing_and_names_the_entry(redis_url: str, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("REDIS_URL", redis_url)
    good = tmp_path / "good.yml"
    good.write_text(yaml.safe_dump({"canned": [ZWROT]}, allow_unicode=True))
    assert _cli(["import-canned", str(good)], capsys)[0] == 0
    before = asyncio.run(_stored(redis_url))
    bad = tmp_path / "bad.yml"
    bad.write_text(yaml.safe_dump({"canned": [HASLO, {**ZWROT, "title": ""}]}, allow_unicode=True))
    code, _out, err = _cli(["import-canned", str(bad), "--replace"], capsys)
    assert code == 1 and "entry 2: title" in err
    twice = tmp_path / "twice.yml"
    twice.write_text(yaml.safe_dump({"canned": [HASLO, HASLO]}, allow_unicode=True))
    code, _out, err = _cli(["import-canned", str(twice)], capsys)
    assert code == 1 and "shortcut" in err
    assert asyncio.run(_stored(redis_url)) == before
