"""Accounts from the command line (REDIS_URL as the service uses it).

    python -m handoff.admin add-user --login anna --name "Anna" --role moderator   # asks for the password
    echo "$PASSWORD" | python -m handoff.admin add-user --login ola --name Ola --role admin --password-stdin
    python -m handoff.admin set-password --login anna          # asks; or --password-stdin; ends anna's sessions
    python -m handoff.admin disable-user --login anna          # no sign-in, sessions end; enable-user undoes it
    python -m handoff.admin remove-user --login anna
    python -m handoff.admin list-users
    python -m handoff.admin erase-customer web:<uuid>   # the right to erasure: handoff.erasure
    python -m handoff.admin import-canned canned.yml [--replace]   # canned answers: handoff.canned_cli
    python -m handoff.admin export-canned > canned.yml
    python -m handoff.admin add-team --name billing --topics invoice --members anna   # teams: handoff.teams_cli
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from pathlib import Path

from redis.exceptions import RedisError

from bot.core.redis_clients import async_client
from bot.core.redis_config import RedisConfig
from bot.core.settings import SettingsError
from bot.learning.paths import Paths
from handoff import canned_cli, erasure_cli, teams_cli
from handoff.accounts import Accounts, Role
from handoff.canned import CannedStore
from handoff.errors import HandoffError, NotFound
from handoff.settings import DEFAULT_REDIS_URL


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Again: "):
        raise HandoffError("the passwords differ")
    return first


async def run(args: argparse.Namespace, redis: RedisConfig) -> str:
    client = async_client(redis, decode_responses=True)
    try:
        if args.command in ("import-canned", "export-canned"):
            return await _canned(args, CannedStore(client))
        if args.command in teams_cli.COMMANDS:
            return await teams_cli.run(args, client)
        accounts = Accounts(client)
        if args.command == "add-user":
            account = await accounts.create(args.login, args.name, Role(args.role), _password(args))
            return f"created {account.role.value} {account.login} ({account.display_name})"
        if args.command == "set-password":
            await accounts.get(args.login)  # an unknown login is named before the password is asked for
            await accounts.set_password(args.login, _password(args))
            return f"password of {args.login} changed; their sessions ended"
        if args.command in ("disable-user", "enable-user"):
            account = await accounts.set_disabled(args.login, args.command == "disable-user")
            return f"{account.login} disabled; their sessions ended" if account.disabled else f"{account.login} enabled"
        if args.command == "remove-user":
            await accounts.remove(args.login)
            return f"removed {args.login}; their sessions ended"
        return "\n".join(f"{a.login}\t{a.role.value}\t{a.display_name}" + ("\tdisabled" if a.disabled else "")
                         for a in await accounts.all())
    finally:
        await client.aclose()


async def _canned(args: argparse.Namespace, store: CannedStore) -> str:
    if args.command == "export-canned":
        return await canned_cli.export(store)
    return await canned_cli.import_file(store, Path(args.file), Paths.from_env(os.environ).faq, args.replace)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m handoff.admin", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add-user", help="make a moderator or admin account")
    add.add_argument("--login", required=True)
    add.add_argument("--name", required=True, help="display name customers see under replies")
    add.add_argument("--role", choices=[r.value for r in Role], default=Role.MODERATOR.value)
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    password = sub.add_parser("set-password", help="change an account's password")
    password.add_argument("--login", required=True)
    password.add_argument("--password-stdin", action="store_true")
    for name, text in (("disable-user", "stop an account signing in and end its sessions"),
                       ("enable-user", "let a disabled account sign in again"),
                       ("remove-user", "delete an account and end its sessions")):
        sub.add_parser(name, help=text).add_argument("--login", required=True)
    sub.add_parser("list-users", help="list accounts")
    sub.add_parser("erase-customer", help="erase a conversation everywhere").add_argument("conversation_id")
    canned = sub.add_parser("import-canned", help="add or replace canned answers from a YAML file")
    canned.add_argument("file")
    canned.add_argument("--replace", action="store_true", help="also remove the answers the file does not have")
    sub.add_parser("export-canned", help="print the canned answers as YAML")
    teams_cli.add_parsers(sub)
    args = parser.parse_args(argv)
    if args.command == "erase-customer":
        return erasure_cli.run(args.conversation_id, os.environ)
    try:
        redis = RedisConfig.from_env(os.environ, DEFAULT_REDIS_URL)
        print(asyncio.run(run(args, redis)))
    except NotFound as e:
        print(f"handoff.admin: {e}", file=sys.stderr)
        return 2
    except (HandoffError, SettingsError, OSError, RedisError) as e:
        print(f"handoff.admin: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
