"""Where and how every process reaches Redis: host or Sentinels, database, ACL user, password and TLS.

One description, built from a URL (``REDIS_URL``: ``redis://`` or ``rediss://`` for TLS, with
``user:password@``) and, for a replicated Redis, the Sentinels that know its master
(``REDIS_SENTINELS``: ``host:port,host:port,…``; ``REDIS_SENTINEL_MASTER``: the name they monitor;
``REDIS_SENTINEL_PASSWORD`` when they ask for one); or from the keys Rasa's ``endpoints.yml`` and
``credentials.yml`` give the tracker store, the lock store and the channels (Rasa's own names:
``username``, ``password``, ``use_ssl``, ``ssl_ca_certs``, ``ssl_certfile``, ``ssl_keyfile``, and
ours: ``sentinels``, ``sentinel_master``, ``sentinel_password``), which ``ops.launch`` fills from those
same variables (``endpoint_env``). With Sentinels the URL's host and port are not used: the
Sentinels say where the master is, and the clients follow it through a failover
(``bot.core.redis_clients``). Python 3.10; no import of redis here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

from bot.core.settings import SettingsError

DEFAULT_PORT = 6379
SCHEMES = {"redis": False, "rediss": True}  # scheme -> TLS
# The CA, and the client certificate and key when Redis asks for one (``tls-auth-clients``).
TLS_FILE_VARIABLES = {"ca_file": "REDIS_TLS_CA_FILE", "cert_file": "REDIS_TLS_CERT_FILE",
                      "key_file": "REDIS_TLS_KEY_FILE"}
# The same files as query parameters of the URL (redis-py's names).
URL_PARAMETERS = {"ssl_ca_certs": "ca_file", "ssl_certfile": "cert_file", "ssl_keyfile": "key_file"}
TRUE_WORDS = ("true", "yes", "1")
MAX_WAIT_REPLICAS = 16
# endpoints.yml's keys for a replicated Redis (besides Rasa's own), as ``from_options`` reads them
REPLICATION_OPTIONS = ("sentinels", "sentinel_master", "sentinel_password", "wait_replicas")


@dataclass(frozen=True)
class RedisConfig:
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    db: int = 0
    username: str = ""
    password: str = field(default="", repr=False)
    tls: bool = False
    ca_file: str = ""
    cert_file: str = ""
    key_file: str = ""
    sentinels: tuple[tuple[str, int], ...] = ()
    sentinel_master: str = ""
    sentinel_password: str = field(default="", repr=False)
    # replicas that must hold a write that matters before it is acknowledged (``WAIT``); None: one
    # when reached through Sentinels, none otherwise (REDIS_WAIT_REPLICAS)
    wait_replicas: int | None = None

    @property
    def replicated(self) -> bool:
        """Reached through Sentinels (the master may move)."""
        return bool(self.sentinels)

    @property
    def replicas_to_wait(self) -> int:
        if self.wait_replicas is not None:
            return self.wait_replicas
        return 1 if self.replicated else 0

    def with_wait_replicas(self, value: str, name: str) -> RedisConfig:
        """``value`` (empty: the default) as ``wait_replicas``; not a small number: refused, named."""
        value = value.strip()
        if not value:
            return self
        if not value.isdigit() or int(value) > MAX_WAIT_REPLICAS:
            raise SettingsError(f"{name} must be a number of replicas from 0 to {MAX_WAIT_REPLICAS}, got {value!r}")
        return replace(self, wait_replicas=int(value))

    @classmethod
    def from_url(cls, url: str, name: str = "REDIS_URL", files: Mapping[str, str] | None = None) -> RedisConfig:
        """``url`` (named ``name`` in errors, which never show the password); ``files``
        (``ca_file``, ``cert_file``, ``key_file``) win over the URL's query parameters."""
        shape = f"{name} must look like redis[s]://[user:password@]host:port/db"
        try:
            parts = urlsplit(url)
            port = parts.port or DEFAULT_PORT
        except ValueError:
            raise SettingsError(f"{shape}, got an invalid URL") from None
        db = parts.path.lstrip("/") or "0"
        if parts.scheme not in SCHEMES or not parts.hostname or not db.isdigit():
            raise SettingsError(f"{shape}, got {_shown(url)!r}")
        query = parse_qs(parts.query)
        unknown = sorted(set(query) - set(URL_PARAMETERS))
        if unknown:
            raise SettingsError(f"{name}: unknown parameter {unknown[0]!r} (allowed: {', '.join(URL_PARAMETERS)})")
        tls_files = {URL_PARAMETERS[k]: v[-1] for k, v in query.items()}
        tls_files.update({k: v for k, v in (files or {}).items() if v})
        config = cls(host=parts.hostname, port=port, db=int(db), username=unquote(parts.username or ""),
                     password=unquote(parts.password or ""), tls=SCHEMES[parts.scheme],
                     ca_file=tls_files.get("ca_file", ""), cert_file=tls_files.get("cert_file", ""),
                     key_file=tls_files.get("key_file", ""))
        return config.checked(name)

    @classmethod
    def from_env(cls, environ: Mapping[str, str], default_url: str) -> RedisConfig:
        """``REDIS_URL`` and the ``REDIS_TLS_*_FILE`` variables; a bad one stops the start, named."""
        files = {key: environ.get(variable, "") for key, variable in TLS_FILE_VARIABLES.items()}
        for key, variable in TLS_FILE_VARIABLES.items():
            if files[key] and not os.path.isfile(files[key]):
                raise SettingsError(f"{variable}: no such file {files[key]!r}")
        config = cls.from_url(environ.get("REDIS_URL") or default_url, "REDIS_URL", files)
        config = config.with_sentinels(environ.get("REDIS_SENTINELS", ""), environ.get("REDIS_SENTINEL_MASTER", ""),
                                       environ.get("REDIS_SENTINEL_PASSWORD", ""), "REDIS_SENTINELS",
                                       "REDIS_SENTINEL_MASTER")
        return config.with_wait_replicas(environ.get("REDIS_WAIT_REPLICAS", ""), "REDIS_WAIT_REPLICAS")

    def with_sentinels(self, sentinels: str, master: str, password: str = "", name: str = "REDIS_SENTINELS",
                       master_name: str = "REDIS_SENTINEL_MASTER") -> RedisConfig:
        """This configuration reached through ``sentinels`` (``host:port,…``; empty: none) that monitor
        ``master``; a list without a master name, or a name without a list, is refused, named."""
        sentinels, master = sentinels.strip(), master.strip()
        if not sentinels and not master:
            return self
        if not master:
            raise SettingsError(f"{name} is set but {master_name} is empty: name the master the Sentinels "
                                "monitor (`sentinel monitor <name> …` in sentinel.conf)")
        if not sentinels:
            raise SettingsError(f"{master_name} is set but {name} is empty: list the Sentinels as host:port,host:port")
        return replace(self, sentinels=parse_sentinels(sentinels, name), sentinel_master=master,
                       sentinel_password=password)

    @classmethod
    def from_options(cls, options: Mapping[str, Any], prefix: str = "", where: str = "Redis") -> RedisConfig:
        """From Rasa's keys (``host`` or ``url``, ``port``, ``db``, ``username``, ``password``,
        ``use_ssl``, ``ssl_ca_certs``, ``ssl_certfile``, ``ssl_keyfile``), each after ``prefix``
        (credentials.yml says ``redis_host``…); empty values mean the defaults."""
        def get(key: str, default: str = "") -> str:
            value = options.get(prefix + key)
            return default if value is None or value == "" else str(value)

        port, db = get("port", str(DEFAULT_PORT)), get("db", "0")
        if not port.isdigit() or not db.isdigit():
            raise SettingsError(f"{where}: {prefix}port and {prefix}db must be numbers, got {port!r} and {db!r}")
        config = cls(host=get("host") or get("url") or "127.0.0.1", port=int(port), db=int(db),
                     username=get("username"), password=get("password"),
                     tls=get("use_ssl", "false").lower() in TRUE_WORDS, ca_file=get("ssl_ca_certs"),
                     cert_file=get("ssl_certfile"), key_file=get("ssl_keyfile"))
        config = config.with_sentinels(get("sentinels"), get("sentinel_master"), get("sentinel_password"),
                                       f"{where}: {prefix}sentinels", f"{where}: {prefix}sentinel_master")
        config = config.with_wait_replicas(get("wait_replicas"), f"{where}: {prefix}wait_replicas")
        return config.checked(where)

    def checked(self, name: str) -> RedisConfig:
        if not self.tls and (self.ca_file or self.cert_file or self.key_file):
            raise SettingsError(f"{name}: TLS files are given but the connection is not TLS (use rediss://)")
        if bool(self.cert_file) != bool(self.key_file):
            raise SettingsError(f"{name}: a client certificate needs both its certificate and its key file")
        return self

    def client_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``redis.Redis`` / ``redis.asyncio.Redis`` (both versions)."""
        kwargs: dict[str, Any] = {"host": self.host, "port": self.port, "db": self.db,
                                  "username": self.username or None, "password": self.password or None}
        if self.tls:
            kwargs.update(ssl=True, ssl_cert_reqs="required", ssl_check_hostname=True,
                          ssl_ca_certs=self.ca_file or None, ssl_certfile=self.cert_file or None,
                          ssl_keyfile=self.key_file or None)
        return kwargs

    def sentinel_kwargs(self) -> dict[str, Any]:
        """How to reach the Sentinels themselves: the same TLS as the data, their own password."""
        kwargs: dict[str, Any] = {"socket_connect_timeout": 2, "socket_timeout": 2,
                                  "password": self.sentinel_password or None}
        if self.tls:
            kwargs.update({k: v for k, v in self.client_kwargs().items() if k.startswith("ssl")})
        return kwargs

    def url(self) -> str:
        """The address without user or password (to show, or for clients that take a URL and
        the credentials as ``client_kwargs``)."""
        return f"{'rediss' if self.tls else 'redis'}://{self.host}:{self.port}/{self.db}"

    def shown(self) -> str:
        """Where this is, for people: the address, or the master's name and its Sentinels."""
        if not self.replicated:
            return self.url()
        tls = " over TLS" if self.tls else ""
        return f"master {self.sentinel_master!r} via Sentinels {self.sentinel_list()}, db {self.db}{tls}"

    def full_url(self) -> str:
        """The URL with user, password and TLS files, which ``from_url`` (and redis-py's) reads
        back: a secret, for a child's environment, never a log."""
        url = self.url()
        if self.username or self.password:
            auth = f"{quote(self.username, safe='')}:{quote(self.password, safe='')}@"
            url = url.replace("://", f"://{auth}", 1)
        files = {name: getattr(self, key) for name, key in URL_PARAMETERS.items() if getattr(self, key)}
        return f"{url}?{urlencode(files)}" if files else url

    def endpoint_options(self) -> dict[str, Any]:
        """The keys endpoints.yml gives the tracker and lock stores (``host`` is Rasa's ``url``)."""
        return {"host": self.host, "port": self.port, "db": self.db, "username": self.username,
                "password": self.password, "use_ssl": self.tls, "ssl_ca_certs": self.ca_file,
                "ssl_certfile": self.cert_file, "ssl_keyfile": self.key_file,
                "sentinels": self.sentinel_list(), "sentinel_master": self.sentinel_master,
                "sentinel_password": self.sentinel_password, "wait_replicas": self.wait_replicas_setting()}

    def endpoint_env(self) -> dict[str, str]:
        """What ``endpoints.yml`` and ``credentials.yml`` read (every variable set, maybe empty)."""
        return {"REDIS_HOST": self.host, "REDIS_PORT": str(self.port), "REDIS_DB": str(self.db),
                "REDIS_USERNAME": self.username, "REDIS_PASSWORD": self.password,
                "REDIS_USE_SSL": "true" if self.tls else "false", "REDIS_TLS_CA_FILE": self.ca_file,
                "REDIS_TLS_CERT_FILE": self.cert_file, "REDIS_TLS_KEY_FILE": self.key_file,
                "REDIS_SENTINELS": self.sentinel_list(), "REDIS_SENTINEL_MASTER": self.sentinel_master,
                "REDIS_SENTINEL_PASSWORD": self.sentinel_password, "REDIS_WAIT_REPLICAS": self.wait_replicas_setting()}

    def wait_replicas_setting(self) -> str:
        """``REDIS_WAIT_REPLICAS`` as read back (empty: the default)."""
        return "" if self.wait_replicas is None else str(self.wait_replicas)

    def sentinel_list(self) -> str:
        """``REDIS_SENTINELS`` as read back by ``with_sentinels``."""
        return ",".join(f"[{host}]:{port}" if ":" in host else f"{host}:{port}" for host, port in self.sentinels)


def parse_sentinels(value: str, name: str = "REDIS_SENTINELS") -> tuple[tuple[str, int], ...]:
    """``host:port,host:port`` (IPv6 in brackets: ``[::1]:26379``); a bad entry is refused, named."""
    sentinels = []
    for entry in (part.strip() for part in value.split(",")):
        try:
            parts = urlsplit(f"//{entry}")
            host, port = parts.hostname, parts.port
        except ValueError:
            host, port = None, None
        if not entry or not host or not port or parts.path or parts.username:
            raise SettingsError(f"{name} must look like host:port,host:port, got {entry!r}")
        sentinels.append((host, port))
    return tuple(sentinels)


def _shown(url: str) -> str:
    """``url`` without its password."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        user = f"{parts.username}:***@" if parts.username else ":***@"
        return parts._replace(netloc=user + parts.netloc.rsplit("@", 1)[-1]).geturl()
    except ValueError:
        return "<invalid URL>"
