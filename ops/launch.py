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

from bot.core.redis_config import RedisConfig
from bot.core.settings import SettingsError, index_dir
from ops.env_file import ENV_FILE, NO_FILE, with_env_file
from ops.preflight import PreflightError, check_index, check_model, check_port_free, check_redis_reachable
from ops.processes import MESSENGER_OFF

MODEL = Path("models/current.tar.gz")
TOKEN_FILE = Path("var/secrets/rasa_token")
SERVICE_TOKEN_FILE = Path("var/secrets/handoff_service_token")
REDIS_PASSWORD_FILE = Path("var/secrets/redis_password")  # the embedded Redis's (EMBEDDED_REDIS_PASSWORD)
REDIS_CONF = Path("var/secrets/redis.conf")  # holds it, so it is not on redis-server's command line
MIN_REDIS_PASSWORD_CHARS = 16
DEFAULT_PORTS = {"RASA_PORT": "5005", "ACTION_PORT": "5055", "HANDOFF_PORT": "8008", "EMBEDDED_REDIS_PORT": "6390"}


def stored_secret(environ: Mapping[str, str], name: str, path: Path) -> str:
    """The variable ``name``, or a random secret kept in ``path`` so it survives restarts."""
    if environ.get(name):
        return environ[name]
    if not path.exists():
        write_private(path, secrets.token_urlsafe(24))
    return path.read_text().strip()


def write_private(path: Path, text: str) -> None:
    """``text`` in ``path``, readable by this user only from the start (no world-readable moment)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as file:
        file.write(text)


def embedded_redis_password(environ: Mapping[str, str]) -> str:
    """``EMBEDDED_REDIS_PASSWORD``, or one generated and kept under var/secrets/."""
    password = stored_secret(environ, "EMBEDDED_REDIS_PASSWORD", REDIS_PASSWORD_FILE)
    if len(password) < MIN_REDIS_PASSWORD_CHARS or any(c.isspace() or c in "\"'\\" for c in password):
        raise PreflightError(f"EMBEDDED_REDIS_PASSWORD must be at least {MIN_REDIS_PASSWORD_CHARS} characters, "
                             "without spaces or quotes")
    return password


def write_redis_conf(path: Path, password: str) -> None:
    """The embedded Redis's password as redis-server reads it (``redis-server <path> --port …``)."""
    write_private(path, f'requirepass "{password}"\n')


def rasa_token(environ: Mapping[str, str]) -> str:
    return stored_secret(environ, "RASA_TOKEN", TOKEN_FILE)


def redis_parts(url: str, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The pieces endpoints.yml and credentials.yml need, from a redis:// or rediss:// URL and
    the ``REDIS_TLS_*_FILE`` variables in ``environ``."""
    try:
        return RedisConfig.from_env({**(environ or {}), "REDIS_URL": url}, url).endpoint_env()
    except SettingsError as exc:
        raise PreflightError(str(exc)) from None


def stack_env(environ: Mapping[str, str], redis_password: str = "") -> tuple[dict[str, str], list[str]]:
    """The children's environment and the honcho processes to start (``redis_password``: the
    embedded Redis's, used when ``REDIS_URL`` is not set)."""
    env = {**DEFAULT_PORTS, **MESSENGER_OFF, "RASA_HOST": "127.0.0.1", "TRACKER_TTL_SECONDS": "7776000", **environ}
    for name in DEFAULT_PORTS:
        if not env[name].isdigit():
            raise PreflightError(f"{name} must be a port number, got {env[name]!r}")
    processes = ["actions", "rasa", "handoff"]
    if env.get("REDIS_SENTINELS") and not env.get("REDIS_URL"):
        raise PreflightError("REDIS_SENTINELS is set but REDIS_URL is not: set REDIS_URL for the database, user, "
                             "password and TLS (its host and port are not used; the Sentinels name the master)")
    if not env.get("REDIS_URL"):
        env["REDIS_URL"] = RedisConfig(port=int(env["EMBEDDED_REDIS_PORT"]), password=redis_password).full_url()
        processes.insert(0, "redis")
    env.update(redis_parts(env["REDIS_URL"], env))
    env["ACTION_SERVER_URL"] = f"http://127.0.0.1:{env['ACTION_PORT']}/webhook"
    env["ACTION_URL"] = f"http://127.0.0.1:{env['ACTION_PORT']}"
    env["HANDOFF_URL"] = f"http://127.0.0.1:{env['HANDOFF_PORT']}"
    rasa_host = "127.0.0.1" if env["RASA_HOST"] in ("0.0.0.0", "::") else env["RASA_HOST"]
    env["RASA_URL"] = f"http://{rasa_host}:{env['RASA_PORT']}"
    env.setdefault("PUBLIC_RASA_URL", env["RASA_URL"])
    env.setdefault("REST_CHANNEL", "on")  # for curl and tools; production leaves it off
    env.setdefault("WIDGET_ALLOWED_ORIGINS", local_origins(env["HANDOFF_PORT"]))  # the demo page
    env.update(RASA_TELEMETRY_ENABLED="false", SQLALCHEMY_SILENCE_UBER_WARNING="1", PYTHONUNBUFFERED="1")
    return env, processes


def local_origins(port: str) -> str:
    """WIDGET_ALLOWED_ORIGINS for pages the handoff service serves on this machine (the demo)."""
    return f"http://127.0.0.1:{port},http://localhost:{port}"


def redis_config(env: Mapping[str, str]) -> RedisConfig:
    try:
        return RedisConfig.from_env(env, env["REDIS_URL"])
    except SettingsError as exc:
        raise PreflightError(str(exc)) from None


def preflight(env: Mapping[str, str], processes: list[str]) -> None:
    check_model(MODEL)
    check_index(index_dir(env))
    check_port_free(env["RASA_HOST"], int(env["RASA_PORT"]), "RASA_PORT")
    check_port_free("127.0.0.1", int(env["ACTION_PORT"]), "ACTION_PORT")
    check_port_free("127.0.0.1", int(env["HANDOFF_PORT"]), "HANDOFF_PORT")
    if "redis" in processes:
        check_port_free("127.0.0.1", int(env["EMBEDDED_REDIS_PORT"]), "EMBEDDED_REDIS_PORT")
    else:
        check_redis_reachable(redis_config(env))


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
            f"  Rasa HTTP API:      curl -H \"Authorization: Bearer $(cat {TOKEN_FILE})\" {rasa}/status "
            "(or RASA_TOKEN)",
            f"  Action server:      http://127.0.0.1:{env['ACTION_PORT']}/health",
            f"  Moderator console:  http://127.0.0.1:{env['HANDOFF_PORT']}/  (accounts: "
            ".venv/bin/python -m handoff.admin add-user --login anna --name Anna --role moderator)",
            f"  Redis:              {redis_config(env).shown()}",
            "Stop everything with Ctrl-C.",
        ]
    )


def main() -> int:
    try:
        environ, from_file = with_env_file(os.environ)  # .env, read on purpose (ops.env_file)
        if from_file:
            print(f"{ENV_FILE}: {', '.join(from_file)} (set in the shell, a variable wins)", flush=True)
        redis_password = "" if environ.get("REDIS_URL") else embedded_redis_password(environ)
        env, processes = stack_env(environ, redis_password)
        preflight(env, processes)
        env["RASA_TOKEN"] = rasa_token(env)
        env["HANDOFF_SERVICE_TOKEN"] = stored_secret(env, "HANDOFF_SERVICE_TOKEN", SERVICE_TOKEN_FILE)
    except PreflightError as exc:
        print(f"make run: {exc}", file=sys.stderr)
        return 1
    if "redis" in processes:
        write_redis_conf(REDIS_CONF, redis_password)
    Path("var/redis").mkdir(parents=True, exist_ok=True)
    print(banner(env), flush=True)
    honcho = str(Path(sys.executable).parent / "honcho")
    # honcho's own .env loading is off: the file was read above, before the checks (ops.env_file)
    os.execve(honcho, [honcho, "start", "-e", NO_FILE, "-f", "Procfile", *processes], env)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
