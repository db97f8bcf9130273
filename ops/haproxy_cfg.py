"""HAProxy's configuration for a deployment (README, "Deploy"): the public frontend in front of the
services the systemd units run, from the same environment file the units read.

    python -m ops.haproxy_cfg /etc/careassist/careassist.env > /etc/haproxy/haproxy.cfg
    haproxy -c -f /etc/haproxy/haproxy.cfg

The services' ports on this machine (``RASA_PORT``, ``HANDOFF_PORT``, ``ACTION_PORT``) are the
backends; ``PUBLIC_HOST``:``PUBLIC_PORT`` is the public frontend (behind your TLS terminator),
with the ``PROXY_*`` limits; HAProxy's own loopback frontends take ``HAPROXY_*_PORT``. A bad value
stops it, named. ``make run-replicas`` builds the same configuration (``ops.haproxy.config``).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from bot.core.settings import SettingsError, port
from ops.edge import Limits
from ops.env_file import parse
from ops.haproxy import Frontends, config

# HAProxy's loopback frontends, beside the services' own ports (5005, 8008, 5055 by default)
LOOPBACK_DEFAULTS = {"HAPROXY_RASA_PORT": "15005", "HAPROXY_HANDOFF_PORT": "18008",
                     "HAPROXY_ACTION_PORT": "15055", "HAPROXY_STATS_PORT": "18404"}
SERVICE_DEFAULTS = {"RASA_PORT": "5005", "HANDOFF_PORT": "8008", "ACTION_PORT": "5055"}


def render(environ: Mapping[str, str]) -> str:
    ports = {name: port(environ, name, default) for name, default in LOOPBACK_DEFAULTS.items()}
    frontends = Frontends(rasa=ports["HAPROXY_RASA_PORT"], handoff=ports["HAPROXY_HANDOFF_PORT"],
                          actions=ports["HAPROXY_ACTION_PORT"], stats=ports["HAPROXY_STATS_PORT"],
                          public=port(environ, "PUBLIC_PORT", "8080"),
                          public_host=environ.get("PUBLIC_HOST", "127.0.0.1"))
    service = {name: port(environ, name, default) for name, default in SERVICE_DEFAULTS.items()}
    return config(frontends, [("rasa1", service["RASA_PORT"])], [("handoff1", service["HANDOFF_PORT"])],
                  [("actions1", service["ACTION_PORT"])], Limits.from_env(environ))


def main(argv: Sequence[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m ops.haproxy_cfg ENV_FILE > haproxy.cfg", file=sys.stderr)
        return 2
    try:
        sys.stdout.write(render(parse(Path(argv[0]).read_text(), argv[0])))
    except (OSError, SettingsError, ValueError) as exc:
        print(f"haproxy_cfg: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
