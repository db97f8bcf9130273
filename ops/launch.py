"""Start the whole stack in the foreground under honcho (see Procfile).

    python -m ops.launch        (called by `make run`)

Reads the environment (see README), checks ports, Redis, model and index, prints
the addresses a person needs, then hands over to honcho, which stops every
process on Ctrl-C.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bot.core.settings import index_dir
from ops.preflight import PreflightError, check_index, check_model, check_port_free, check_redis_reachable
from ops.processes import MESSENGER_OFF

MODEL = Path("models/current.tar.gz")
TOKEN_FILE = Path("var/secrets/rasa_token")
SERVICE_TOKEN_FILE = Path("var/secrets/handoff_service_token")
DEFAULT_PORTS = {"RASA_PORT": "5005", "ACTION_PORT": "5055", "HANDOFF_PORT": "8008", "EMBEDDED_REDIS_PORT": "6390"}


def stored_secret(environ: Mapping[str, str], name: str, path: Path) -> str:
    """The variable ``name``, or a random secret kept in ``path`` so it survives restarts."""
    if environ.get(name):
        return environ[name]
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(24))
        path.chmod(0o600)
    return path.read_text().strip()


def rasa_token(environ: Mapping[str, str]) -> str:
    return stored_secret(environ, "RASA_TOKEN", TOKEN_FILE)


def redis_parts(url: str) -> dict[str, str]:
    """The pieces endpoints.yml needs, from a redis:// URL."""
    parts = urlsplit(url)
    db = parts.path.lstrip("/") or "0"
    if parts.scheme != "redis" or not parts.hostname or not db.isdigit():
        raise PreflightError(f"REDIS_URL must look like redis://[:password@]host:port/db, got {url!r}")
    return {
        "REDIS_HOST": parts.hostname,
        "REDIS_PORT": str(parts.port or 6379),
        "REDIS_DB": db,
        "REDIS_PASSWORD": unquote(parts.password or ""),
    }


def stack_env(environ: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The children's environment and the honcho processes to start."""
    env = {**DEFAULT_PORTS, **MESSENGER_OFF, "RASA_HOST": "127.0.0.1", "TRACKER_TTL_SECONDS": "7776000", **environ}
    for name in DEFAULT_PORTS:
        if not env[name].isdigit():
            raise PreflightError(f"{name} must be a port number, got {env[name]!r}")
    processes = ["actions", "rasa", "handoff"]
    if not env.get("REDIS_URL"):
        env["REDIS_URL"] = f"redis://127.0.0.1:{env['EMBEDDED_REDIS_PORT']}/0"
        processes.insert(0, "redis")
    env.update(redis_parts(env["REDIS_URL"]))
    env["ACTION_SERVER_URL"] = f"http://127.0.0.1:{env['ACTION_PORT']}/webhook"
    env["ACTION_URL"] = f"http://127.0.0.1:{env['ACTION_PORT']}"
    env["HANDOFF_URL"] = f"http://127.0.0.1:{env['HANDOFF_PORT']}"
    rasa_host = "127.0.0.1" if env["RASA_HOST"] in ("0.0.0.0", "::") else env["RASA_HOST"]
    env["RASA_URL"] = f"http://{rasa_host}:{env['RASA_PORT']}"
    env.setdefault("PUBLIC_RASA_URL", env["RASA_URL"])
    env.update(RASA_TELEMETRY_ENABLED="false", SQLALCHEMY_SILENCE_UBER_WARNING="1", PYTHONUNBUFFERED="1")
    return env, processes


def preflight(env: Mapping[str, str], processes: list[str]) -> None:
    check_model(MODEL)
    check_index(index_dir(env))
    check_port_free(env["RASA_HOST"], int(env["RASA_PORT"]), "RASA_PORT")
    check_port_free("127.0.0.1", int(env["ACTION_PORT"]), "ACTION_PORT")
    check_port_free("127.0.0.1", int(env["HANDOFF_PORT"]), "HANDOFF_PORT")
    if "redis" in processes:
        check_port_free("127.0.0.1", int(env["EMBEDDED_REDIS_PORT"]), "EMBEDDED_REDIS_PORT")
    else:
        check_redis_reachable(env["REDIS_URL"])


def banner(env: Mapping[str, str]) -> str:
    rasa = f"http://{env['RASA_HOST']}:{env['RASA_PORT']}"
    return "\n".join(
        [
            "Volta customer-care stack is starting (Rasa answers once its model is loaded, 15-60 s).",
            f"  Chat (REST):        curl -s -XPOST {rasa}/webhooks/rest/webhook "
            """-d '{"sender":"t1","message":"Jak zwrócić produkt?"}'""",
            f"  Demo shop + widget: http://127.0.0.1:{env['HANDOFF_PORT']}/demo",
            f"  Messenger webhook:  {rasa}/webhooks/messenger/webhook "
            f"({'on' if env.get('MESSENGER_APP_SECRET') else 'off: set MESSENGER_* to connect a page'})",
            f"  Rasa HTTP API:      {rasa}/status?token=<token in {TOKEN_FILE} or RASA_TOKEN>",
            f"  Action server:      http://127.0.0.1:{env['ACTION_PORT']}/health",
            f"  Moderator console:  http://127.0.0.1:{env['HANDOFF_PORT']}/  (accounts: "
            ".venv/bin/python -m handoff.admin add-user --login anna --name Anna --role moderator)",
            f"  Redis:              {env['REDIS_HOST']}:{env['REDIS_PORT']} db {env['REDIS_DB']}",
            "Stop everything with Ctrl-C.",
        ]
    )


def main() -> int:
    try:
        env, processes = stack_env(os.environ)
        preflight(env, processes)
        env["RASA_TOKEN"] = rasa_token(env)
        env["HANDOFF_SERVICE_TOKEN"] = stored_secret(env, "HANDOFF_SERVICE_TOKEN", SERVICE_TOKEN_FILE)
    except PreflightError as exc:
        print(f"make run: {exc}", file=sys.stderr)
        return 1
    Path("var/redis").mkdir(parents=True, exist_ok=True)
    print(banner(env), flush=True)
    honcho = str(Path(sys.executable).parent / "honcho")
    os.execve(honcho, [honcho, "start", "-f", "Procfile", *processes], env)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
