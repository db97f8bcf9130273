"""What the internet sees: HAProxy's public frontend, the paths it forwards and its per-client limits.

Three things are public: the widget's socket.io (Rasa, sticky by engine.io session), the
Messenger webhook (Rasa) and the handoff service's pages for people (the console and its
``/api``, the widget's files, the demo shop). Everything else answers 404 from HAProxy:
Rasa's HTTP API (``/conversations/*/tracker/events``, ``PUT /model``…), the REST channel,
the action server, and the handoff service's ``/internal`` and ``/metrics``; those stay on
the loopback frontends of ``ops/haproxy.py``.

Per client address (stick tables), over a limit the answer is 429:

- concurrent connections, and a request rate over the whole frontend, except the Messenger
  webhook: Meta delivers every page's events from a few addresses, the channel checks each
  signature and limits per PSID;
- a tighter rate on signing in to the console (``POST /login``);
- new chat sessions: socket.io handshakes (a request without ``sid``).

The defaults are generous for a family or an office behind one NAT. The client's own
``X-Forwarded-For`` is dropped and HAProxy's put in its place, so the first hop the servers
see (they trust it from ``TRUSTED_PROXIES`` only) is the address HAProxy saw.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

from bot.core.settings import whole_number

REQUESTS_PER_10S = 300  # ~30 a second for a whole household or office: page loads, polling, the console
CONNECTIONS_PER_CLIENT = 100  # a WebSocket or a polling pair per open widget, an SSE stream per console tab
SIGN_INS_PER_MINUTE = 20  # POST /login: a guessing script gets 20 tries a minute per address
NEW_CHATS_PER_MINUTE = 30  # socket.io handshakes: a reload opens one, a script opening thousands is stopped
TRACKED_CLIENTS = 200_000  # addresses each stick table remembers (about 50 bytes each)
TRACK_EXPIRE = "10m"  # an address not seen for this long is forgotten

PUBLIC_HANDOFF_PATHS = ("/", "/login", "/logout", "/stats", "/admin", "/demo")
PUBLIC_HANDOFF_PREFIXES = ("/tickets/", "/console/", "/widget/", "/api/")  # /api: the console's, behind sign-in
MESSENGER_WEBHOOK = "/webhooks/messenger/webhook"
SOCKET_IO = "/socket.io/"
SIGN_IN = "/login"
LARGEST = 10_000_000
HAPROXY_ADDRESS = "127.0.0.1"  # what the servers see as the peer: their TRUSTED_PROXIES

ENV = {"requests_per_10s": "PROXY_REQUESTS_PER_10S", "connections_per_client": "PROXY_CONNECTIONS_PER_CLIENT",
       "sign_ins_per_minute": "PROXY_SIGN_INS_PER_MINUTE", "new_chats_per_minute": "PROXY_NEW_CHATS_PER_MINUTE",
       "tracked_clients": "PROXY_TRACKED_CLIENTS"}


@dataclass(frozen=True)
class Limits:
    """Per client address, on the public frontend."""

    requests_per_10s: int = REQUESTS_PER_10S
    connections_per_client: int = CONNECTIONS_PER_CLIENT
    sign_ins_per_minute: int = SIGN_INS_PER_MINUTE
    new_chats_per_minute: int = NEW_CHATS_PER_MINUTE
    tracked_clients: int = TRACKED_CLIENTS

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Limits:
        """The defaults, each overridden by its ``PROXY_*`` variable (a whole number, 1-10,000,000)."""
        return cls(**{f.name: whole_number(environ, ENV[f.name], str(getattr(cls, f.name)), 1, LARGEST)
                      for f in fields(cls)})


def _table(name: str, store: str, size: int) -> list[str]:
    return [f"backend {name}", f"    stick-table type ip size {size} expire {TRACK_EXPIRE} store {store}", ""]


def public_frontend(host: str, port: int, limits: Limits) -> list[str]:
    """The frontend to put on the internet, and the stick tables it counts in."""
    pages = " ".join(PUBLIC_HANDOFF_PATHS)
    prefixes = " ".join(PUBLIC_HANDOFF_PREFIXES)
    return [
        "frontend public",
        f"    bind {host}:{port}",
        f"    stick-table type ip size {limits.tracked_clients} expire {TRACK_EXPIRE} store conn_cur",
        "    tcp-request connection track-sc0 src",
        "    http-request del-header X-Forwarded-For  # HAProxy's own goes in its place (option forwardfor)",
        "    http-request del-header Forwarded",
        f"    acl messenger path {MESSENGER_WEBHOOK}",
        f"    acl socketio path_beg {SOCKET_IO}",
        "    acl has_sid url_param(sid) -m found",
        f"    acl sign_in path {SIGN_IN}",
        "    acl sign_in_post method POST",
        f"    acl handoff_page path {pages}",
        f"    acl handoff_page path_beg {prefixes}",
        "    acl dot_segment path_reg -- '(^|/)[.][.]?(/|$)'",
        "    acl encoded_separator path_sub -i %2e %2f %5c",
        "    http-request track-sc1 src table per_client_requests unless messenger",
        "    http-request track-sc2 src table per_client_sign_ins if sign_in sign_in_post",
        "    http-request track-sc2 src table per_client_new_chats if socketio !has_sid",
        f"    http-request deny deny_status 429 if {{ sc_conn_cur(0) gt {limits.connections_per_client} }}",
        f"    http-request deny deny_status 429 if !messenger {{ sc_http_req_rate(1) gt {limits.requests_per_10s} }}",
        "    http-request deny deny_status 429 if sign_in sign_in_post "
        f"{{ sc_http_req_rate(2) gt {limits.sign_ins_per_minute} }}",
        "    http-request deny deny_status 429 if socketio !has_sid "
        f"{{ sc_http_req_rate(2) gt {limits.new_chats_per_minute} }}",
        "    http-request deny deny_status 404 if dot_segment || encoded_separator",
        "    http-request deny deny_status 404 unless messenger || socketio || handoff_page",
        "    use_backend rasa_socketio if socketio",
        "    use_backend rasa if messenger",
        "    default_backend handoff",
        "",
        *_table("per_client_requests", "http_req_rate(10s)", limits.tracked_clients),
        *_table("per_client_sign_ins", "http_req_rate(1m)", limits.tracked_clients),
        *_table("per_client_new_chats", "http_req_rate(1m)", limits.tracked_clients),
    ]
