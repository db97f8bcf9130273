"""Accounts from the command line (REDIS_URL as the service uses it).

    python -m handoff.admin add-user --login anna --name "Anna" --role moderator   # asks for the password
    echo "$PASSWORD" | python -m handoff.admin add-user --login ola --name Ola --role admin --password-stdin
    python -m handoff.admin set-password --login anna
    python -m handoff.admin list-users
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from bot.core.settings import SettingsError
from bot.core.settings import redis_url as check_redis_url
from handoff.accounts import Accounts, Role
from handoff.errors import HandoffError
from handoff.settings import DEFAULT_REDIS_URL


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Again: "):
        raise HandoffError("the passwords differ")
    return first


async def run(args: argparse.Namespace, redis_url: str) -> str:
    client = aioredis.from_url(redis_url, decode_responses=True)
    try:
        accounts = Accounts(client)
        if args.command == "add-user":
            account = await accounts.create(args.login, args.name, Role(args.role), _password(args))
            return f"created {account.role.value} {account.login} ({account.display_name})"
        if args.command == "set-password":
            await accounts.set_password(args.login, _password(args))
            return f"password of {args.login} changed"
        return "\n".join(f"{a.login}\t{a.role.value}\t{a.display_name}" for a in await accounts.all())
    finally:
        await client.aclose()


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
    sub.add_parser("list-users", help="list accounts")
    args = parser.parse_args(argv)
    try:
        redis_url = check_redis_url(os.environ.get("REDIS_URL", DEFAULT_REDIS_URL))
        print(asyncio.run(run(args, redis_url)))
    except (HandoffError, SettingsError, OSError, RedisError) as e:
        print(f"handoff.admin: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
