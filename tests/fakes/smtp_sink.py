"""A local SMTP server (aiosmtpd) on a loopback port (a free one unless given) that keeps what it is sent, for the
consult-by-e-mail tests. ``with SmtpSink() as sink:`` ... ``sink.messages`` (parsed, newest last)."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from ops.processes import free_port


class _Keep:
    def __init__(self, into: list[EmailMessage]) -> None:
        self.into = into

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd's hook name
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.into.append(parsed)
        return "250 OK"


class SmtpSink:
    def __init__(self, port: int = 0) -> None:
        self.messages: list[EmailMessage] = []
        self.port = port or free_port()
        self._controller = Controller(_Keep(self.messages), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpSink:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()
