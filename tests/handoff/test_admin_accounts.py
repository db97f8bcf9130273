"""``python -m handoff.admin``'s account commands: disable, enable, remove, set a password (never from argv),
unknown logins named with exit status 2, and every session of the account ended."""

from __future__ import annotations

import asyncio
import io

import pytest
import redis.asyncio as aioredis

from bot.core import keys
from handoff.accounts import Account, Accounts, Role
from handoff.admin import main
from handoff.passwords import Passwords

PASSWORD = "correct horse battery"


async def _prepare(redis_url: str) -> Account:
    client = aioredis.from_url(redis_url, decode_responses=True)
    accounts = Accounts(client)
    account = await accounts.create("anna", "Anna", Role.MODERATOR, PASSWORD)
    await accounts.start_session(account)
    await accounts.start_session(account)
    await client.aclose()
    return account


async def _state(redis_url: str) -> tuple[dict[str, str], int]:
    client = aioredis.from_url(redis_url, decode_responses=True)
    user = await client.hgetall(keys.user("anna"))
    sessions = len(await client.keys(keys.session("*")))
    await client.aclose()
    return user, sessions


@pytest.fixture
def anna(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The account anna with two sessions; the CLI pointed at the test Redis."""
    monkeypatch.setenv("REDIS_URL", redis_url)
    asyncio.run(_prepare(redis_url))
    return redis_url


def test_disable_ends_sessions_and_enable_undoes_it(anna: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["disable-user", "--login", "anna"]) == 0
    user, sessions = asyncio.run(_state(anna))
    assert user["disabled"] == "1" and sessions == 0
    assert main(["list-users"]) == 0
    assert "anna\tmoderator\tAnna\tdisabled" in capsys.readouterr().out
    assert main(["enable-user", "--login", "anna"]) == 0
    assert not asyncio.run(_state(anna))[0]["disabled"]


def test_remove_deletes_the_account_and_its_sessions(anna: str) -> None:
    assert main(["remove-user", "--login", "anna"]) == 0
    assert asyncio.run(_state(anna)) == ({}, 0)


def test_set_password_reads_standard_input_and_ends_sessions(anna: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a brand new password\n"))
    assert main(["set-password", "--login", "anna", "--password-stdin"]) == 0
    user, sessions = asyncio.run(_state(anna))
    assert sessions == 0
    assert asyncio.run(Passwords(1).verify(user["password"], "a brand new password"))


def test_a_password_is_never_taken_from_the_command_line(anna: str) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["set-password", "--login", "anna", "--password", "a brand new password"])
    assert exit_.value.code == 2


@pytest.mark.parametrize("command", ["disable-user", "enable-user", "remove-user", "set-password"])
def test_an_unknown_login_is_named_with_status_2(anna: str, command: str, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a brand new password\n"))
    assert main([command, "--login", "nobody", "--password-stdin"] if command == "set-password"
                else [command, "--login", "nobody"]) == 2
    assert "nobody" in capsys.readouterr().err
    assert asyncio.run(_state(anna))[1] == 2  # nothing changed


def test_a_short_password_is_refused_and_nothing_changes(anna: str, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    before = asyncio.run(_state(anna))
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["set-password", "--login", "anna", "--password-stdin"]) == 1
    assert "password must be" in capsys.readouterr().err
    assert asyncio.run(_state(anna)) == before
