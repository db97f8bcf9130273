"""A redis-server that speaks TLS only, with an ACL user, for the session (pytest plugin, see
tests/conftest.py). Its certificates are made at test time with the ``openssl`` command."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from bot.core.redis_config import RedisConfig
from ops.processes import RedisServer, RedisTls

ACL_USER = "bot"
ACL_PASSWORD = "acl-password-0123456789"
CERT_DAYS = "2"


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_certificates(directory: Path) -> RedisTls:
    """A CA and a server certificate for 127.0.0.1 and localhost, signed by it."""
    if shutil.which("openssl") is None:
        pytest.fail("the openssl command is needed to make test certificates (apt-get install openssl)")
    rsa = ("-newkey", "rsa:2048", "-nodes")
    _openssl("req", "-x509", *rsa, "-keyout", "ca.key", "-out", "ca.crt", "-days", CERT_DAYS,
             "-subj", "/CN=test redis CA", cwd=directory)
    _openssl("req", *rsa, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost", cwd=directory)
    (directory / "san.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", "server.crt", "-days", CERT_DAYS, "-extfile", "san.ext", cwd=directory)
    return RedisTls(ca_file=directory / "ca.crt", cert_file=directory / "server.crt", key_file=directory / "server.key")


@dataclass(frozen=True)
class TlsRedis:
    server: RedisServer
    config: RedisConfig  # the ACL user over TLS, CA file included

    @property
    def url(self) -> str:
        """rediss://bot:…@127.0.0.1:port/0?ssl_ca_certs=…"""
        return self.config.full_url()


@pytest.fixture(scope="session")
def tls_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsRedis]:
    tls = make_certificates(tmp_path_factory.mktemp("tls"))
    server = RedisServer(tmp_path_factory.mktemp("tls-redis"), tls=tls, users={ACL_USER: ACL_PASSWORD})
    yield TlsRedis(server, replace(server.config, username=ACL_USER, password=ACL_PASSWORD))
    server.stop()
