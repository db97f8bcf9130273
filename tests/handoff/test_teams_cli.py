"""``python -m handoff.admin``'s team commands: add, set members, list, remove, set a capacity; bad input
named, with nothing changed."""

from __future__ import annotations

import asyncio

import pytest
import redis.asyncio as aioredis

from bot.core import keys
from handoff.accounts import Accounts, Role
from handoff.admin import main


async def _accounts(redis_url: str) -> None:
    client = aioredis.from_url(redis_url, decode_responses=True)
    for login in ("anna", "piotr"):
        await Accounts(client).create(login, login.title(), Role.MODERATOR, "correct horse battery")
    await client.aclose()


async def _hash(redis_url: str, key: str) -> dict[str, str]:
    client = aioredis.from_url(redis_url, decode_responses=True)
    try:
        return dict(await client.hgetall(key))
    finally:
        await client.aclose()


@pytest.fixture
def cli(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("REDIS_URL", redis_url)
    asyncio.run(_accounts(redis_url))
    return redis_url


def test_teams_from_the_command_line(cli: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["add-team", "--name", "billing", "--topics", "invoice,refund", "--channels", "messenger",
                 "--members", "anna"]) == 0
    assert main(["add-team", "--name", "everyone", "--fallback", "--members", "anna,piotr"]) == 0
    assert main(["set-team-members", "--name", "billing", "--members", "piotr"]) == 0
    capsys.readouterr()
    assert main(["list-teams"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "billing\tmembers=piotr\ttopics=invoice,refund\tchannels=messenger",
        "everyone\tmembers=anna,piotr\ttopics=\tchannels=\tfallback",
    ]
    assert main(["set-capacity", "--login", "anna", "--capacity", "3"]) == 0
    assert asyncio.run(_hash(cli, keys.CAPACITY)) == {"anna": "3"}
    assert main(["remove-team", "--name", "billing"]) == 0
    assert list(asyncio.run(_hash(cli, keys.TEAMS))) == ["everyone"]


@pytest.mark.parametrize(("argv", "named"), [
    (["add-team", "--name", "billing", "--members", "nobody"], "members"),
    (["add-team", "--name", "billing", "--channels", "fax"], "channels"),
    (["add-team", "--name", "Billing!"], "name"),
    (["set-capacity", "--login", "anna", "--capacity", "-1"], "capacity"),
    (["set-capacity", "--login", "anna", "--capacity", "lots"], "capacity"),
])
def test_bad_input_is_named_and_changes_nothing(cli: str, capsys: pytest.CaptureFixture[str], argv: list[str],
                                                named: str) -> None:
    assert main(argv) == 1
    assert named in capsys.readouterr().err
    assert asyncio.run(_hash(cli, keys.TEAMS)) == {} and asyncio.run(_hash(cli, keys.CAPACITY)) == {}


def test_unknown_names_exit_2(cli: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["remove-team", "--name", "nosuch"]) == 2
    assert main(["set-capacity", "--login", "nobody", "--capacity", "1"]) == 2
    assert "nosuch" in capsys.readouterr().err
