"""Start Rasa with this product's patches: ``python -m bot.rasa_side run …`` takes what ``rasa`` takes.

Run by the Rasa venv's Python (3.10) from the repository root, so that Rasa finds the
channels and stores that ``credentials.yml`` and ``endpoints.yml`` name. With ``--enable-api``
and no ``--auth-token``, the token comes from ``RASA_TOKEN``, so it never shows on a command
line (``ps``); an API without a token is refused.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from bot.core.logs import configure_from_env, log_format
from bot.core.settings import SettingsError
from bot.rasa_side import config_env, patches


class NoToken(SystemExit):
    """``--enable-api`` without a token would open Rasa's HTTP API to anyone who reaches the port."""


def with_token(argv: list[str], environ: Mapping[str, str]) -> list[str]:
    """``argv`` with ``--auth-token`` from ``RASA_TOKEN`` when the API is on and none was given."""
    if "--enable-api" not in argv or "--auth-token" in argv:
        return argv
    token = environ.get("RASA_TOKEN", "")
    if not token:
        raise NoToken("python -m bot.rasa_side: --enable-api needs RASA_TOKEN (or --auth-token)")
    return [*argv, "--auth-token", token]


def main() -> None:
    sys.argv = with_token(sys.argv, os.environ)
    config_env.check(sys.argv, os.environ)  # every unset ${NAME} at once, before Rasa loads
    try:
        if log_format(os.environ) == "json":  # a bad LOG_FORMAT stops the start, named, before Rasa loads
            # JSON from the first line on: warnings while Rasa imports, no TensorFlow notices on stderr
            os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
            configure_from_env(os.environ)
    except SettingsError as exc:
        raise SystemExit(f"python -m bot.rasa_side: {exc}") from None
    patches.install()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
